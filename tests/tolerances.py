"""Tolerances for comparisons with reference values, named by the kind of quantity.

Every reference test takes its tolerances from here (STYLE.md, convention 10), so that a
loosened tolerance is one visible change in one file.

The metafor fixtures are generated with threshold = tol = 1e-13 and are stable to about
1e-9 (relative) when that is loosened to 1e-11 (validation/metafor/README.md). The
library stops its iterative estimators at |delta tau2| < 1e-10 and its root-finders at
xtol 1e-12 (DEVELOPERS.md), so iterative quantities can differ from metafor's by a few
1e-9 relative. 1e-6 leaves three orders of magnitude of headroom while still catching
any formula error (a wrong constant or a wrong df shows up at 1e-2..1e-4).
"""

from __future__ import annotations

# Closed-form effect sizes (escalc yi, vi): the same formula evaluated in double precision.
EFFECT_SIZE_RTOL = 1e-9

# Pooled estimates, coefficients, standard errors, CI/PI bounds, test statistics.
ESTIMATE_RTOL = 1e-6

# Between-study variance and its Q-profile confidence bounds (iterative / root-finding).
TAU2_RTOL = 1e-6

# Heterogeneity statistics: Q, I2 (percent), H2, R2 (percent), QM, CMH, Tarone.
HETEROGENEITY_RTOL = 1e-6

# p-values: relative, plus an absolute floor for p-values that underflow towards 0.
PVAL_RTOL = 1e-6
PVAL_ATOL = 1e-14

# Study weights in percent.
WEIGHT_RTOL = 1e-6

# Quantities whose reference value is (or is near) zero: tau2 on the boundary,
# an estimate of ~0, an I2 of 0. metafor's Fisher scoring stops *near* 0 on the
# boundary (steps are halved rather than allowed below tau2.min), so its "zero" can be
# ~1e-14; the library may return an exact 0.
NEAR_ZERO_ATOL = 1e-9

# Counts and degrees of freedom are compared exactly.
EXACT = 0.0
