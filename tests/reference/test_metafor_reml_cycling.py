"""REML/ML where Fisher scoring cycles between 0 and an overshoot (safeguarded steps).

metafor 3.8.1 with its default control stops on these data with "Fisher scoring algorithm
did not converge"; with step halving it converges. The reference values are from

    rma(y, v, method = "REML", control = list(stepadj = 0.5, threshold = 1e-13,
                                              maxiter = 10000))

(and method = "ML"), printed with sprintf("%.15g"), R 4.2.2. The first data set was found
by the GOSH subsets of a k = 20 benchmark, the second by fit_batch on 10,000 simulated
meta-analyses of k = 10 (seed 20261123).
"""

from __future__ import annotations

import numpy as np
import pytest

import tolerances as tol
from livingmeta.models import fit_batch, rma

Y1 = [0.345584192064786, 0.33043707618338714, 0.4463745723640113, 0.5811181041963531,
      0.294132496655526, 0.03972210748165899]
V1 = [0.15256928779971, 0.10218628514201065, 0.1477100887469714, 0.06260932876862045,
      0.1942858285110652, 0.017522646566198542]
Y2 = [0.26711981778966787, 0.08104606329771626, 0.402337478692914, 0.27990975050679445,
      0.07023064958306452, 0.41166920713654453, -0.08329479071349172, 0.025158249414099415,
      0.26965389307057774, 0.2953677353956863]
V2 = [0.03924023621521294, 0.053647231723773066, 0.010845007107884332, 0.09084748262471344,
      0.02344306744860765, 0.04562205986407124, 0.0703086720629402, 0.09244352042714003,
      0.06801752933282557, 0.05614773657158238]

CASES = [  # data, method, (tau2, estimate, se) from the R call above
    (Y1, V1, "REML", (0.0242230786345007, 0.271828680606442, 0.12971616419056)),
    (Y1, V1, "ML", (0.0118865439316151, 0.250348314605843, 0.116730040711237)),
    (Y2, V2, "REML", (0.004279881448625, 0.244927228736618, 0.0663568422230364)),
]


@pytest.mark.parametrize(("y", "v", "method", "expected"), CASES)
def test_single_fit_converges_to_metafors_step_halved_root(y, v, method, expected):
    fit = rma(y, v, method=method)
    assert fit.converged and fit.iterations < 50
    assert float(fit.tau2) == pytest.approx(expected[0], rel=tol.TAU2_RTOL)
    assert float(fit.estimate) == pytest.approx(expected[1], rel=tol.ESTIMATE_RTOL)
    assert float(fit.se) == pytest.approx(expected[2], rel=tol.ESTIMATE_RTOL)


@pytest.mark.parametrize(("y", "v", "method", "expected"), CASES)
def test_batched_fit_converges_to_the_same_root(y, v, method, expected):
    # the batch path (arrays, per-element brackets) next to an ordinary row
    ys = np.array([y, np.linspace(-0.5, 0.5, len(y))])
    vs = np.array([v, np.full(len(v), 0.04)])
    fit = fit_batch(ys, vs, method=method)
    assert bool(fit.converged.all())
    assert fit.tau2[0] == pytest.approx(expected[0], rel=tol.TAU2_RTOL)
    assert fit.tau2[1] == pytest.approx(float(rma(ys[1], vs[1], method=method).tau2),
                                        rel=tol.TAU2_RTOL)


def test_a_root_below_the_likelihood_at_zero_is_replaced_by_zero():
    """metafor's ll0check: 3 of the 720 permuted designs of this meta-regression have an
    interior REML root whose restricted likelihood is below that at tau2 = 0.

        fit <- rma(y, v, mods = ~ m, method = "REML", control = list(threshold = 1e-13,
                   tol = 1e-13, maxiter = 10000))
        permutest(fit, exact = TRUE, control = <the same>)   # pval 0.825, 0.04444444

    (metafor 3.8.1, R 4.2.2; the p-values are the counts 594/720 and 32/720.)
    """
    from livingmeta.sensitivity import permutation_test

    y = np.array([-0.89, -1.59, -1.35, -1.44, -0.22, -0.79])
    v = np.array([0.33, 0.19, 0.42, 0.02, 0.05, 0.007])
    m = np.array([44, 55, 42, 52, 13, 19.0])
    res = permutation_test(y, v, mods=m[:, None], method="REML", exact=True)
    assert res.permutations == 720
    assert np.round(np.asarray(res.pval) * 720).tolist() == [594, 32]
