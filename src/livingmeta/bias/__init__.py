"""Small-study effects and publication bias: regression and rank tests, trim and fill."""

from livingmeta.bias.ranktest import RankTestResult, ranktest
from livingmeta.bias.regtest import RegTestResult, regtest
from livingmeta.bias.small_study import small_study_informative, uninformative_note
from livingmeta.bias.trimfill import TrimFillResult, trimfill

__all__ = [
    "RankTestResult",
    "RegTestResult",
    "TrimFillResult",
    "ranktest",
    "regtest",
    "small_study_informative",
    "trimfill",
    "uninformative_note",
]
