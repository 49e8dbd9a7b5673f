"""Formulas of MD, SMD, SMDH, ROM on small hand-checkable cases, and their properties."""

import math

import numpy as np
import pytest
from scipy.special import gamma

from livingmeta.effects import escalc, hedges_correction

ARMS = {
    "m1i": [10.0, 12.5, 30.0],
    "sd1i": [2.0, 4.0, 5.0],
    "n1i": [20, 35, 8],
    "m2i": [8.0, 13.0, 25.0],
    "sd2i": [3.0, 3.0, 6.0],
    "n2i": [22, 30, 9],
}


def swapped(cols: dict) -> dict:
    return {k.replace("1", "#").replace("2", "1").replace("#", "2"): v for k, v in cols.items()}


def test_md_is_difference_with_unpooled_variance() -> None:
    es = escalc("MD", m1i=[10.0], sd1i=[2.0], n1i=[20], m2i=[8.0], sd2i=[3.0], n2i=[22])
    assert es.yi[0] == pytest.approx(2.0, abs=1e-15)
    assert es.vi[0] == pytest.approx(4 / 20 + 9 / 22, abs=1e-15)
    assert es.notes == ("",)


def test_hedges_correction_is_the_gamma_ratio() -> None:
    m = np.array([2.0, 5.0, 10.0, 40.0])
    exact = gamma(m / 2) / (np.sqrt(m / 2) * gamma((m - 1) / 2))
    np.testing.assert_allclose(hedges_correction(m), exact, rtol=1e-13)
    assert math.isnan(hedges_correction(np.array([1.0]))[0])


def test_exact_correction_close_to_the_usual_approximation() -> None:
    m = np.arange(10.0, 200.0)
    approx = 1 - 3 / (4 * m - 1)
    diff = np.abs(hedges_correction(m) - approx)
    assert np.all(diff * m**2 < 0.05)  # the approximation error is O(m^-2)
    assert np.all(np.diff(diff) < 0)
    assert np.all(hedges_correction(m) < 1)


def test_smd_hand_computed() -> None:
    es = escalc("SMD", m1i=[10.0], sd1i=[2.0], n1i=[20], m2i=[8.0], sd2i=[3.0], n2i=[22])
    sp = math.sqrt((19 * 4 + 21 * 9) / 40)
    g = float(hedges_correction(np.array([40.0]))[0]) * 2.0 / sp
    assert es.yi[0] == pytest.approx(g, rel=1e-14)
    assert es.vi[0] == pytest.approx(1 / 20 + 1 / 22 + g**2 / (2 * 42), rel=1e-14)


def test_smdh_standardizes_by_average_variance() -> None:
    es = escalc("SMDH", m1i=[10.0], sd1i=[2.0], n1i=[20], m2i=[8.0], sd2i=[3.0], n2i=[22])
    c = float(hedges_correction(np.array([40.0]))[0])
    assert es.yi[0] == pytest.approx(c * 2.0 / math.sqrt(6.5), rel=1e-14)
    assert es.vi[0] > 0


def test_rom_is_log_ratio() -> None:
    es = escalc("ROM", m1i=[10.0], sd1i=[2.0], n1i=[20], m2i=[8.0], sd2i=[3.0], n2i=[22])
    assert es.yi[0] == pytest.approx(math.log(10 / 8), rel=1e-14)
    assert es.vi[0] == pytest.approx(4 / (20 * 100) + 9 / (22 * 64), rel=1e-14)


@pytest.mark.parametrize("measure", ["MD", "SMD", "SMDH", "ROM"])
def test_swapping_arms_negates_yi_keeps_vi(measure: str) -> None:
    a = escalc(measure, **ARMS)
    b = escalc(measure, **swapped(ARMS))
    np.testing.assert_allclose(b.yi, -a.yi, rtol=1e-13)
    np.testing.assert_allclose(b.vi, a.vi, rtol=1e-13)


def test_missing_value_gives_nan_row_not_error() -> None:
    cols = dict(ARMS, sd1i=[2.0, np.nan, 5.0])
    es = escalc("SMD", **cols)
    assert np.isnan(es.yi[1]) and np.isnan(es.vi[1])
    assert np.isfinite(es.yi[[0, 2]]).all()


def test_rom_opposite_sign_means_is_an_error() -> None:
    from livingmeta.errors import DataValidationError

    with pytest.raises(DataValidationError, match="m2i must be > 0 for measure 'ROM'"):
        escalc("ROM", **dict(ARMS, m2i=[8.0, -1.0, 25.0]))
