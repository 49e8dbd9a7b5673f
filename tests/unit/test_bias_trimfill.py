"""trimfill(): symmetric funnels fill nothing; filled studies mirror the trimmed ones."""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta.bias import trimfill
from livingmeta.errors import ParameterError


def test_symmetric_funnel_fills_nothing():
    vi = np.repeat([0.01, 0.04, 0.09, 0.16, 0.25], 2)
    yi = 0.3 + np.tile([-1.0, 1.0], 5) * np.sqrt(vi)
    for estimator in ("L0", "R0", "Q0"):
        res = trimfill(yi, vi, method="EE", estimator=estimator)
        assert res.k0 == 0 and res.fit.k == 10 and res.filled_yi.size == 0


def test_asymmetric_funnel_is_filled_on_the_left_by_mirroring():
    yi = [0.1, 0.3, 0.5, 0.9, 0.2, 0.6]
    vi = [0.01, 0.04, 0.09, 0.16, 0.02, 0.1]
    res = trimfill(yi, vi, method="EE")
    assert res.side == "left" and res.k0 == 3 and res.fit.k == 9
    assert (res.filled_yi < min(yi)).all()
    right = trimfill(-np.asarray(yi), vi, method="EE")
    assert right.side == "right" and right.k0 == 3
    np.testing.assert_allclose(right.filled_yi, -res.filled_yi)
    assert "Trim and fill" in res.summary().as_text()


def test_argument_errors():
    with pytest.raises(ParameterError, match="estimator"):
        trimfill([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], estimator="L1")
    with pytest.raises(ParameterError, match="side"):
        trimfill([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], side="up")
