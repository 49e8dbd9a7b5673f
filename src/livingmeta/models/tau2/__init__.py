"""Estimators of the between-study variance tau2, registered by their metafor code.

Each estimator is a pure array function ``estimate(yi, vi, X=None) -> Tau2Estimate`` over
a leading batch axis (``yi``, ``vi`` of shape ``(..., k)``, ``X`` of shape ``(..., k, p)``
or ``(k, p)``; None for intercept-only models), truncated at 0 as metafor does.

========  ================================================  =====================
code      estimator                                         module
========  ================================================  =====================
``DL``    DerSimonian & Laird (1986)                        :mod:`.dl`
``HE``    Hedges (1983); Hedges & Olkin (1985)              :mod:`.he`
``HS``    Hunter & Schmidt (2004)                           :mod:`.hs`
``SJ``    Sidik & Jonkman (2005)                            :mod:`.sj`
``ML``    maximum likelihood (Viechtbauer 2005)             :mod:`.ml`
``REML``  restricted maximum likelihood (Viechtbauer 2005)  :mod:`.reml`
``EB``    empirical Bayes (Morris 1983; Berkey et al. 1995) :mod:`.eb`
``PM``    Paule & Mandel (1982)                             :mod:`.pm`
========  ================================================  =====================
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from . import dl, eb, he, hs, ml, pm, reml, sj
from ._common import FloatArray, Tau2Estimate

__all__ = ["TAU2_ESTIMATORS", "Estimator", "Tau2Estimate"]

Estimator = Callable[[FloatArray, FloatArray, FloatArray | None], Tau2Estimate]

#: metafor method code -> estimator function (read-only).
TAU2_ESTIMATORS: MappingProxyType[str, Estimator] = MappingProxyType(
    {
        "DL": dl.estimate,
        "HE": he.estimate,
        "HS": hs.estimate,
        "SJ": sj.estimate,
        "ML": ml.estimate,
        "REML": reml.estimate,
        "EB": eb.estimate,
        "PM": pm.estimate,
    }
)
