"""livingmeta: living systematic reviews and meta-analysis at metafor's precision.

The layers, in the order data flows through them (STYLE.md):

- :mod:`livingmeta.data`: read and check a study table (:func:`read_study_table`);
- :mod:`livingmeta.effects`: effect sizes (:func:`escalc`);
- :mod:`livingmeta.models`: pooling (:func:`rma`, :func:`rma_mh`, :func:`rma_peto`,
  :func:`subgroup_analysis`);
- :mod:`livingmeta.sensitivity`: :func:`leave_one_out`;
- :mod:`livingmeta.pooling`: the whole ``livingmeta pool`` analysis (:func:`pool_table`);
- :mod:`livingmeta.summary`: text, Markdown and HTML summaries.

>>> from livingmeta import escalc, read_study_table, rma
>>> from livingmeta.datasets import dataset_path
>>> bcg = read_study_table(dataset_path("bcg")).columns
>>> es = escalc("RR", ai=bcg["ai"], bi=bcg["bi"], ci=bcg["ci"], di=bcg["di"])
>>> round(rma(es.yi, es.vi, method="DL").estimate, 4)  # metafor 3.8.1: -0.7141172
-0.7141
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("livingmeta")
except PackageNotFoundError:  # pragma: no cover - only when run from a source tree
    __version__ = "0.0.0"

from livingmeta.data import StudyTable, read_study_table, study_table_from_frame
from livingmeta.effects import EffectSizes, escalc
from livingmeta.models import (
    MantelHaenszelResult,
    PetoResult,
    SubgroupResult,
    fit_batch,
    rma,
    rma_mh,
    rma_peto,
    subgroup_analysis,
)
from livingmeta.pooling import PooledAnalysis, pool_table
from livingmeta.results import MetaAnalysisResult, MetaRegressionResult, Tau2Interval
from livingmeta.sensitivity import LeaveOneOutResult, leave_one_out

__all__ = [
    "EffectSizes",
    "LeaveOneOutResult",
    "MantelHaenszelResult",
    "MetaAnalysisResult",
    "MetaRegressionResult",
    "PetoResult",
    "PooledAnalysis",
    "StudyTable",
    "SubgroupResult",
    "Tau2Interval",
    "__version__",
    "escalc",
    "fit_batch",
    "leave_one_out",
    "pool_table",
    "read_study_table",
    "rma",
    "rma_mh",
    "rma_peto",
    "study_table_from_frame",
    "subgroup_analysis",
]
