"""Sequential analyses of an accumulating body of evidence.

- :func:`cumulative`: cumulative meta-analysis (metafor ``cumul``);
- :func:`trial_sequential_analysis`: trial sequential analysis (TSA) with Lan-DeMets
  monitoring boundaries over the required information size;
- :func:`group_sequential_boundaries`, :func:`required_information_size` and the
  spending functions, its building blocks;
- :func:`what_if`: what a pending trial could change (a vectorized simulation).
"""

from livingmeta.sequential.boundaries import (
    GroupSequentialBoundaries,
    group_sequential_boundaries,
)
from livingmeta.sequential.cumulative import CumulativeResult, cumulative
from livingmeta.sequential.information import (
    RequiredInformationSize,
    diversity,
    required_information_size,
)
from livingmeta.sequential.spending import (
    SPENDING_FUNCTIONS,
    obrien_fleming_spending,
    pocock_spending,
)
from livingmeta.sequential.tsa import (
    TSALook,
    TSAResult,
    boundary_curve,
    trial_sequential_analysis,
)
from livingmeta.sequential.whatif import PendingTrial, WhatIfCriterion, WhatIfResult, what_if

__all__ = [
    "SPENDING_FUNCTIONS",
    "CumulativeResult",
    "GroupSequentialBoundaries",
    "PendingTrial",
    "RequiredInformationSize",
    "TSALook",
    "TSAResult",
    "WhatIfCriterion",
    "WhatIfResult",
    "boundary_curve",
    "cumulative",
    "diversity",
    "group_sequential_boundaries",
    "obrien_fleming_spending",
    "pocock_spending",
    "required_information_size",
    "trial_sequential_analysis",
    "what_if",
]
