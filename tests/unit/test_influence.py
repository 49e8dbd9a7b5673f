"""influence() and baujat(): identities against explicit refits, and argument errors."""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta import rma
from livingmeta.errors import DataValidationError, MethodNotApplicableError
from livingmeta.sensitivity import baujat, influence

YI = np.array([-0.89, -1.59, -1.35, -1.44, -0.22, -0.79, -1.62, 0.01, -0.47])
VI = np.array([0.33, 0.19, 0.42, 0.02, 0.05, 0.01, 0.22, 0.07, 0.06])


@pytest.mark.parametrize("method", ["DL", "REML", "EE"])
def test_cook_d_cov_r_and_hat_against_explicit_refits(method):
    res = influence(YI, VI, method=method)
    full = rma(YI, VI, method=method)
    for i in range(YI.size):
        keep = np.arange(YI.size) != i
        part = rma(YI[keep], VI[keep], method=method)
        assert res.cook_d[i] == pytest.approx((full.estimate - part.estimate) ** 2
                                              / full.se**2, rel=1e-10)
        assert res.cov_r[i] == pytest.approx(part.se**2 / full.se**2, rel=1e-10)
        assert res.tau2_del[i] == pytest.approx(part.tau2, rel=1e-10, abs=1e-12)
        assert res.QE_del[i] == pytest.approx(part.Q, rel=1e-10)
    np.testing.assert_allclose(res.hat * 100, full.weights, rtol=1e-12)
    assert res.hat.sum() == pytest.approx(1.0)


def test_result_shapes_frame_and_summary():
    res = influence(YI, VI, method="DL", study=[f"S{i}" for i in range(9)])
    frame = res.to_frame()
    assert list(frame.index) == [f"S{i}" for i in range(9)]
    assert "inf" in frame.columns and frame.shape == (9, 10)
    assert "Influence" in res.summary().as_text()
    assert res.to_dict()["k"] == 9


def test_influence_needs_three_studies_and_valid_data():
    with pytest.raises(MethodNotApplicableError, match="k >= 3"):
        influence([0.1, 0.2], [0.1, 0.1])
    with pytest.raises(DataValidationError, match="vi"):
        influence([0.1, 0.2, 0.3], [0.1, -1.0, 0.1])


def test_baujat_ee_x_sums_to_q():
    res = baujat(YI, VI)
    assert res.x.sum() == pytest.approx(rma(YI, VI, method="EE").Q, rel=1e-12)
    assert (res.y >= 0).all() and res.to_frame().shape == (9, 2)
