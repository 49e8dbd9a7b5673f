"""Pooling models: common-effect, random-effects and meta-regression (metafor ``rma.uni``).

Public entry points: :func:`rma` (one meta-analysis or meta-regression) and
:func:`fit_batch` (many meta-analyses at once). tau2 estimators are registered by metafor
code in :data:`livingmeta.models.tau2.TAU2_ESTIMATORS`.
"""

from .mantel_haenszel import MantelHaenszelResult, rma_mh
from .peto import PetoResult, rma_peto
from .random import METHODS, TESTS, fit_batch, rma
from .subgroups import SubgroupResult, subgroup_analysis
from .tau2 import TAU2_ESTIMATORS

__all__ = [
    "METHODS",
    "TAU2_ESTIMATORS",
    "TESTS",
    "MantelHaenszelResult",
    "PetoResult",
    "SubgroupResult",
    "fit_batch",
    "rma",
    "rma_mh",
    "rma_peto",
    "subgroup_analysis",
]
