"""Sensitivity analyses that refit a model on altered data.

- :func:`leave_one_out`, :func:`influence`, :func:`baujat`: metafor's case diagnostics;
- :func:`gosh`, :func:`gosh_diagnostics`: every subset of the studies (GOSH), and the
  studies that drive the clusters of subset results.
"""

from livingmeta.sensitivity.baujat import BaujatResult, baujat
from livingmeta.sensitivity.gosh import GoshDiagnostics, GoshResult, gosh, gosh_diagnostics
from livingmeta.sensitivity.influence import InfluenceResult, influence
from livingmeta.sensitivity.leave_one_out import LeaveOneOutResult, leave_one_out

__all__ = [
    "BaujatResult",
    "GoshDiagnostics",
    "GoshResult",
    "InfluenceResult",
    "LeaveOneOutResult",
    "baujat",
    "gosh",
    "gosh_diagnostics",
    "influence",
    "leave_one_out",
]
