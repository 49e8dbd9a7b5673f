"""IRR, IRD (person-time) and COR, ZCOR (correlations)."""

import math

import numpy as np
import pytest

from livingmeta.effects import escalc
from livingmeta.errors import ZeroCellWarning

RATES = {"x1i": [5, 3], "t1i": [100.0, 120.0], "x2i": [10, 6], "t2i": [110.0, 100.0]}


def test_irr_and_ird_hand_computed() -> None:
    irr = escalc("IRR", **RATES)
    assert irr.yi[0] == pytest.approx(math.log((5 / 100) / (10 / 110)), rel=1e-14)
    assert irr.vi[0] == pytest.approx(1 / 5 + 1 / 10, rel=1e-14)
    ird = escalc("IRD", **RATES)
    assert ird.yi[0] == pytest.approx(5 / 100 - 10 / 110, rel=1e-14)
    assert ird.vi[0] == pytest.approx(5 / 100**2 + 10 / 110**2, rel=1e-14)


def test_irr_zero_count_adds_to_counts_only() -> None:
    with pytest.warns(ZeroCellWarning, match="the event counts"):
        es = escalc("IRR", x1i=[0], t1i=[100.0], x2i=[2], t2i=[110.0])
    assert es.yi[0] == pytest.approx(math.log((0.5 / 100) / (2.5 / 110)), rel=1e-14)
    assert es.vi[0] == pytest.approx(1 / 0.5 + 1 / 2.5, rel=1e-14)


def test_irr_drop00() -> None:
    with pytest.warns(ZeroCellWarning):
        es = escalc("IRR", x1i=[0, 3], t1i=[90.0, 80.0], x2i=[0, 7], t2i=[95.0, 85.0],
                    drop00=True)
    assert np.isnan(es.yi[0]) and not es.zero_cell_corrected.any()


def test_cor_and_zcor() -> None:
    cor = escalc("COR", ri=[0.3, -0.5], ni=[50, 20])
    assert cor.yi.tolist() == [0.3, -0.5]
    assert cor.vi[0] == pytest.approx((1 - 0.09) ** 2 / 49, rel=1e-14)
    z = escalc("ZCOR", ri=[0.3, -0.5], ni=[50, 20])
    assert z.yi[1] == pytest.approx(0.5 * math.log(0.5 / 1.5), rel=1e-14)
    assert z.vi[0] == pytest.approx(1 / 47, rel=1e-14)
    flipped = escalc("ZCOR", ri=[-0.3, 0.5], ni=[50, 20])
    np.testing.assert_allclose(flipped.yi, -z.yi)
