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

# Group-sequential boundaries (z) against rpact (validation/rpact/README.md): our
# recursive integration converges to ~1e-8 at GRID_R = 48; rpact is run at its tightest
# tolerance (1e-10).
BOUNDARY_Z_ATOL = 1e-6
# Cumulative alpha/beta spent as rpact reports them (rpact's reported values are solved
# to its own tolerance, e.g. 0.02499999 for 0.025).
ERROR_SPENT_ATOL = 1e-7
# Drift / inflation factor of one-sided beta-spending designs (an outer root search on top
# of the bounds).
DRIFT_RTOL = 1e-6
# Monte Carlo checks of crossing probabilities: standard errors allowed.
MONTE_CARLO_SE = 4.5

# Exact Bayesian meta-analysis (models/bayes.py) against an independent brute-force 2-D
# grid integration over (mu, tau) (tests/reference/test_bayes_bruteforce.py): relative
# agreement, with an absolute floor in units of the posterior SD for values near 0 (and
# absolute for probabilities). The library's quadrature is accurate to ~1e-9; the grid's
# Simpson error is ~1e-6, so 1e-4 leaves headroom and still catches a wrong Jacobian or
# a dropped term (errors of 1e-2 and more).
BAYES_BRUTEFORCE_RTOL = 1e-4
BAYES_BRUTEFORCE_ATOL = 1e-4

# bayesmeta's printed numbers (Röver 2020): the marginal of tau is integrated accurately
# (compared at its printed 7 digits), but the marginals of mu, theta_i and theta_new are
# bayesmeta's DIRECT normal-mixture approximation (Röver & Friede 2017, default
# delta = 0.01, epsilon = 1e-4), which differs from the exact mixture by up to ~2e-3
# posterior SDs; those are compared within 5e-3 posterior SDs.
BAYESMETA_PRINTED_RTOL = 1e-6
BAYESMETA_DIRECT_SD_ATOL = 5e-3

# Published simulation tables (tests/reference/test_published_simulation.py): a
# reproduced performance measure may differ from the published one by this many
# combined Monte Carlo SEs (ours and the paper's, sqrt(se1^2 + se2^2)) plus half a unit
# of the table's last printed digit.
SIMULATION_MCSE_Z = 3.0

# The batch engine (livingmeta.batch) against rma / pool_table on each meta-analysis: the
# same kernels on the same numbers, vectorized; relative, with an absolute floor for
# values at or near zero (tau2 and its CI bounds on the boundary, estimates near 0).
BATCH_RTOL = 1e-8
BATCH_ATOL = 1e-12

# Exact permutation p-values (metafor's permutest(exact=TRUE)) are ratios of counts over
# the same reference set: they agree to rounding, and one permutation counted differently
# moves a p-value by 1/N >= 1e-6 for every reference set enumerated in the tests.
EXACT_PERMUTATION_PVAL_ATOL = 1e-12
