"""OR, RR, RD, PETO on 2x2 tables, and metafor's zero-cell handling."""

import math

import numpy as np
import pytest

from livingmeta.effects import escalc
from livingmeta.errors import ZeroCellWarning

TABLE = {"ai": [4, 6], "bi": [16, 14], "ci": [10, 8], "di": [10, 12]}


def test_or_rr_rd_hand_computed() -> None:
    odds = escalc("OR", **TABLE)
    assert odds.yi[0] == pytest.approx(math.log(4 * 10 / (16 * 10)), rel=1e-14)
    assert odds.vi[0] == pytest.approx(1 / 4 + 1 / 16 + 1 / 10 + 1 / 10, rel=1e-14)
    risk = escalc("RR", **TABLE)
    assert risk.yi[0] == pytest.approx(math.log(0.2 / 0.5), rel=1e-14)
    assert risk.vi[0] == pytest.approx(1 / 4 - 1 / 20 + 1 / 10 - 1 / 20, rel=1e-14)
    diff = escalc("RD", **TABLE)
    assert diff.yi[0] == pytest.approx(-0.3, rel=1e-14)
    assert diff.vi[0] == pytest.approx(0.2 * 0.8 / 20 + 0.5 * 0.5 / 20, rel=1e-14)


def test_peto_is_o_minus_e_over_v() -> None:
    es = escalc("PETO", **TABLE)
    o, e = 4.0, 14 * 20 / 40
    v = 14 * 26 * 0.5 * 0.5 / 39
    assert es.yi[0] == pytest.approx((o - e) / v, rel=1e-14)
    assert es.vi[0] == pytest.approx(1 / v, rel=1e-14)


def test_group_sizes_instead_of_non_events() -> None:
    a = escalc("OR", **TABLE)
    b = escalc("OR", ai=TABLE["ai"], ci=TABLE["ci"], n1i=[20, 20], n2i=[20, 20])
    np.testing.assert_array_equal(a.yi, b.yi)


@pytest.mark.parametrize("measure", ["OR", "RR", "RD", "PETO"])
def test_swapping_groups_negates_yi(measure: str) -> None:
    a = escalc(measure, **TABLE)
    b = escalc(measure, ai=TABLE["ci"], bi=TABLE["di"], ci=TABLE["ai"], di=TABLE["bi"])
    np.testing.assert_allclose(b.yi, -a.yi, rtol=1e-13)
    np.testing.assert_allclose(b.vi, a.vi, rtol=1e-13)


ZERO = {"ai": [0, 3, 0], "bi": [10, 7, 12], "ci": [2, 4, 0], "di": [8, 6, 10]}


@pytest.mark.parametrize("measure", ["OR", "RR", "RD", "PETO"])
def test_only0_adds_half_to_tables_with_a_zero(measure: str) -> None:
    # metafor 3.8.1 corrects RD and PETO tables too:
    # escalc("RD", ai=c(0,3,0), bi=c(10,7,12), ci=c(2,4,0), di=c(8,6,10))
    with pytest.warns(ZeroCellWarning, match="added 0.5 to all cells in 2 studies"):
        es = escalc(measure, **ZERO)
    a, b, c, d = 0.5, 10.5, 2.5, 8.5
    n1, n2 = a + b, c + d
    expected = {
        "OR": math.log(a * d / (b * c)),
        "RR": math.log((a / n1) / (c / n2)),
        "RD": a / n1 - c / n2,
        "PETO": (a - (a + c) * n1 / (n1 + n2))
        / ((a + c) * (b + d) * n1 * n2 / ((n1 + n2) ** 2 * (n1 + n2 - 1))),
    }[measure]
    assert es.yi[0] == pytest.approx(expected, rel=1e-13)
    assert es.zero_cell_corrected.tolist() == [True, False, True]
    assert es.notes[0] == "zero-cell correction: added 0.5 to all cells (to='only0')"
    assert es.notes[1] == ""


def test_rd_without_correction_keeps_double_zero_at_zero() -> None:
    # metafor: escalc("RD", ..., to="none") gives yi = 0, vi = 0 for ai = ci = 0
    es = escalc("RD", **ZERO, to="none")
    assert es.yi[2] == 0.0 and es.vi[2] == 0.0
    assert es.yi[0] == pytest.approx(-0.2)


def test_or_without_correction_is_nan_for_zero_cells() -> None:
    es = escalc("OR", **ZERO, to="none")
    assert np.isnan(es.yi[[0, 2]]).all() and np.isfinite(es.yi[1])
    assert es.warnings == ()


def test_to_all_and_if0all() -> None:
    with pytest.warns(ZeroCellWarning):
        everywhere = escalc("OR", **ZERO, to="all")
    assert everywhere.zero_cell_corrected.all()
    no_zero = escalc("OR", **TABLE, to="if0all")
    assert not no_zero.zero_cell_corrected.any()
    with pytest.warns(ZeroCellWarning):
        some = escalc("OR", **ZERO, to="if0all")
    assert some.zero_cell_corrected.all()


def test_drop00_sets_double_zero_to_nan_and_does_not_trigger_if0all() -> None:
    # metafor: escalc("OR", ai=c(0,3,4), bi=c(10,7,6), ci=c(0,4,5), di=c(10,6,5),
    #                 to="if0all", drop00=TRUE) leaves studies 2 and 3 uncorrected
    with pytest.warns(ZeroCellWarning, match="1 double-zero study set to NaN"):
        es = escalc("OR", ai=[0, 3, 4], bi=[10, 7, 6], ci=[0, 4, 5], di=[10, 6, 5],
                    to="if0all", drop00=True)
    assert np.isnan(es.yi[0]) and np.isnan(es.vi[0])
    assert es.yi[1] == pytest.approx(math.log(3 * 6 / (7 * 4)))
    assert es.dropped_double_zero.tolist() == [True, False, False]
    assert "drop00=True" in es.notes[0]
    assert es.to_dict()["studies"][0]["dropped_double_zero"] is True


def test_zero_cell_warning_message_recorded_on_result() -> None:
    with pytest.warns(ZeroCellWarning) as record:
        es = escalc("RR", **ZERO)
    assert es.warnings == tuple(str(w.message) for w in record)


def test_zero_variance_is_noted() -> None:
    es = escalc("RD", **ZERO, to="none")
    assert "vi = 0" in es.notes[2]
