"""Sensitivity analyses that refit a model on altered data.

- :func:`leave_one_out`, :func:`influence`, :func:`baujat`: metafor's case diagnostics;
- :func:`gosh`, :func:`gosh_diagnostics`: every subset of the studies (GOSH), and the
  studies that drive the clusters of subset results;
- :func:`permutation_test`: metafor's ``permutest`` (exact or seeded random);
- :func:`bootstrap_ci`: parametric and nonparametric bootstrap intervals.
"""

from livingmeta.sensitivity.baujat import BaujatResult, baujat
from livingmeta.sensitivity.bootstrap import BootstrapResult, bootstrap_ci
from livingmeta.sensitivity.gosh import GoshDiagnostics, GoshResult, gosh, gosh_diagnostics
from livingmeta.sensitivity.influence import InfluenceResult, influence
from livingmeta.sensitivity.leave_one_out import LeaveOneOutResult, leave_one_out
from livingmeta.sensitivity.permutation import PermutationResult, permutation_test

__all__ = [
    "BaujatResult",
    "BootstrapResult",
    "GoshDiagnostics",
    "GoshResult",
    "InfluenceResult",
    "LeaveOneOutResult",
    "PermutationResult",
    "baujat",
    "bootstrap_ci",
    "gosh",
    "gosh_diagnostics",
    "influence",
    "leave_one_out",
    "permutation_test",
]
