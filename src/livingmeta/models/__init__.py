"""Pooling models: common-effect, random-effects and meta-regression (metafor ``rma.uni``).

Public entry points: :func:`rma` (one meta-analysis or meta-regression) and
:func:`fit_batch` (many meta-analyses at once). tau2 estimators are registered by metafor
code in :data:`livingmeta.models.tau2.TAU2_ESTIMATORS`.
"""

from ._bayes_priors import (
    FlatPrior,
    HalfCauchyPrior,
    HalfNormalPrior,
    LogNormalPrior,
    NormalPrior,
    parse_mu_prior,
    parse_tau_prior,
    rhodes_prior,
    turner_prior,
)
from .bayes import BayesResult, PosteriorSummary, bayes_meta
from .mantel_haenszel import MantelHaenszelResult, rma_mh
from .peto import PetoResult, rma_peto
from .random import METHODS, TESTS, fit_batch, rma
from .subgroups import SubgroupResult, subgroup_analysis
from .tau2 import TAU2_ESTIMATORS

__all__ = [
    "METHODS",
    "TAU2_ESTIMATORS",
    "TESTS",
    "BayesResult",
    "FlatPrior",
    "HalfCauchyPrior",
    "HalfNormalPrior",
    "LogNormalPrior",
    "MantelHaenszelResult",
    "NormalPrior",
    "PetoResult",
    "PosteriorSummary",
    "SubgroupResult",
    "bayes_meta",
    "fit_batch",
    "parse_mu_prior",
    "parse_tau_prior",
    "rhodes_prior",
    "rma",
    "rma_mh",
    "rma_peto",
    "subgroup_analysis",
    "turner_prior",
]
