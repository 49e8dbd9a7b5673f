"""Unit tests of the Mantel-Haenszel pooler: identities, validation and metafor spot checks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from livingmeta.errors import (
    DataValidationError,
    DroppedStudiesWarning,
    MethodNotApplicableError,
    ParameterError,
    SingleStudyWarning,
    ZeroCellWarning,
)
from livingmeta.models._binary_tables import BinaryTables
from livingmeta.models.mantel_haenszel import _mh_pool, rma_mh

# dat.bcg (metadat): tpos, tneg, cpos, cneg
BCG = {
    "ai": [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27],
    "bi": [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886],
    "ci": [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29],
    "di": [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825],
}
ZEROS = {"ai": [0, 2, 0, 5, 1], "bi": [10, 8, 20, 15, 9],
         "ci": [0, 4, 3, 6, 0], "di": [12, 6, 17, 14, 11]}


def _fit(measure: str = "OR", **kwargs):
    return rma_mh(**BCG, measure=measure, **kwargs)


def test_bcg_odds_ratio_matches_metafor() -> None:
    # rma.mh(ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg, measure="OR"), metafor 3.8.1
    res = _fit("OR")
    assert res.estimate == pytest.approx(-0.473410988388585, rel=1e-10)
    assert res.se == pytest.approx(0.0410077784042314, rel=1e-10)
    assert res.Q == pytest.approx(163.942579569193, rel=1e-10)
    assert res.Q_df == 12
    assert res.I2 == pytest.approx(92.6803640448177, rel=1e-10)
    assert res.cmh_statistic == pytest.approx(135.688943723906, rel=1e-10)
    assert res.tarone_statistic == pytest.approx(171.756672993871, rel=1e-10)


def test_bcg_risk_ratio_and_difference_match_metafor() -> None:
    # rma.mh(..., data=dat.bcg, measure="RR") and measure="RD", metafor 3.8.1
    rr, rd = _fit("RR"), _fit("RD")
    assert rr.estimate == pytest.approx(-0.453709604683754, rel=1e-10)
    assert rr.se == pytest.approx(0.0393373668712944, rel=1e-10)
    assert rd.estimate == pytest.approx(-0.003288181832613, rel=1e-10)
    assert rd.se == pytest.approx(0.000286656748527374, rel=1e-10)
    assert rd.Q == pytest.approx(386.77594183656, rel=1e-10)
    assert rr.cmh_statistic is None and rr.tarone_pval is None


def test_zero_cells_match_metafor() -> None:
    # rma.mh(ai, bi, ci, di, measure="OR") on ZEROS: beta -0.621458051087798,
    # se 0.510525194245159, QE 2.59214294818968 (df 3), MH 0.949945903456931,
    # TA 4.28832481956538 (TAp 0.231966329019613), metafor 3.8.1
    with pytest.warns(ZeroCellWarning):
        res = rma_mh(**ZEROS)
    assert res.k == 5 and res.Q_df == 3
    assert res.estimate == pytest.approx(-0.621458051087798, rel=1e-10)
    assert res.se == pytest.approx(0.510525194245159, rel=1e-10)
    assert res.Q == pytest.approx(2.59214294818968, rel=1e-10)
    assert res.cmh_statistic == pytest.approx(0.949945903456931, rel=1e-10)
    assert res.tarone_pval == pytest.approx(0.231966329019613, rel=1e-10)
    assert math.isnan(res.yi[0]) and math.isnan(res.vi[0])
    assert any("double-zero" in w for w in res.warnings)


@pytest.mark.parametrize("measure", ["OR", "RR"])
def test_single_table_equals_that_tables_ratio(measure: str) -> None:
    a, b, c, d = 2.0, 8.0, 4.0, 6.0
    with pytest.warns(SingleStudyWarning):
        res = rma_mh([a], [b], [c], [d], measure=measure)
    if measure == "OR":
        assert res.estimate == pytest.approx(math.log(a * d / (b * c)))
        assert res.se**2 == pytest.approx(1 / a + 1 / b + 1 / c + 1 / d)  # Woolf
    else:
        assert res.estimate == pytest.approx(math.log((a / (a + b)) / (c / (c + d))))
        assert res.se**2 == pytest.approx(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    assert (res.Q, res.Q_df, res.Q_pval, res.I2, res.H2) == (0.0, 0, 1.0, 0.0, 1.0)
    assert res.k == 1 and res.warnings


def test_single_table_risk_difference() -> None:
    with pytest.warns(SingleStudyWarning):
        res = rma_mh([2], [8], [4], [6], measure="RD")
    assert res.estimate == pytest.approx(0.2 - 0.4)


@pytest.mark.parametrize("measure", ["OR", "RR", "RD"])
def test_swapping_arms_negates_estimate(measure: str) -> None:
    res = _fit(measure)
    swapped = rma_mh(BCG["ci"], BCG["di"], BCG["ai"], BCG["bi"], measure=measure)
    assert swapped.estimate == pytest.approx(-res.estimate, rel=1e-12)
    assert swapped.se == pytest.approx(res.se, rel=1e-12)


def test_swapping_outcomes_negates_log_odds_ratio() -> None:
    res = _fit("OR")
    swapped = rma_mh(BCG["bi"], BCG["ai"], BCG["di"], BCG["ci"])
    assert swapped.estimate == pytest.approx(-res.estimate, rel=1e-12)
    assert swapped.Q == pytest.approx(res.Q, rel=1e-12)


def test_weights_and_intervals() -> None:
    res = _fit("OR")
    assert res.weights.sum() == pytest.approx(100.0)
    assert res.confidence_interval(0.95) == pytest.approx((res.ci_low, res.ci_high))
    low90, high90 = res.confidence_interval(0.9)
    assert res.ci_low < low90 < res.estimate < high90 < res.ci_high
    back = res.back_transformed
    assert back is not None and back["estimate"] == pytest.approx(math.exp(res.estimate))
    assert _fit("RD").back_transformed is None
    with pytest.raises(ParameterError, match="level"):
        res.confidence_interval(95)


def test_to_dict_is_json_safe_and_provenance_tracks_inputs() -> None:
    with pytest.warns(ZeroCellWarning):
        res = rma_mh(**ZEROS, study=list("ABCDE"))
    out = res.to_dict()
    text = json.dumps(out, allow_nan=False)
    assert out["yi"][0] is None and out["study"] == list("ABCDE")
    assert out["tau2"] is None and "back_transformed" in json.loads(text)
    assert res.provenance.method == "MH" and res.provenance.k == 5
    assert _fit().provenance.input_digest == _fit().provenance.input_digest
    changed = dict(BCG, ai=[5, *BCG["ai"][1:]])
    assert rma_mh(**changed).provenance.input_digest != _fit().provenance.input_digest


def test_validation_collects_every_problem() -> None:
    with pytest.raises(DataValidationError) as info:
        rma_mh([-1, 2, 3], [4, 2.5, 6], [1, 1, "x"], [2, 2, 2], study=["A", "B", "C"])
    problems = info.value.problems
    assert [(p.row, p.study, p.field) for p in problems] == [
        (1, "A", "ai"), (2, "B", "bi"), (3, "C", "ci")]
    message = str(info.value)
    assert "study 'A' (row 1): ai must be >= 0, got -1" in message
    assert "study 'B' (row 2): bi must be a whole number" in message


def test_bad_arguments() -> None:
    with pytest.raises(ParameterError, match="'measure'"):
        rma_mh([1], [2], [3], [4], measure="PETO")
    with pytest.raises(ParameterError, match="'level'"):
        rma_mh([1], [2], [3], [4], level=95)
    with pytest.raises(ParameterError, match="same length"):
        rma_mh([1, 2], [2], [3], [4])
    with pytest.raises(ParameterError, match="'to'"):
        rma_mh([1], [2], [3], [4], to="some")


def test_missing_counts_are_dropped_with_a_warning() -> None:
    with pytest.warns(DroppedStudiesWarning, match="B"):
        res = rma_mh([2, None, 5], [8, 3, 15], [4, 1, 6], [6, 2, 14], study=["A", "B", "C"])
    assert res.k == 2 and res.study == ("A", "C")


@pytest.mark.parametrize("measure", ["OR", "RR"])
def test_undefined_estimator_names_the_studies(measure: str) -> None:
    with pytest.raises(MethodNotApplicableError, match="'S1', 'S2'"):
        rma_mh([0, 0], [10, 8], [1, 4], [12, 6], measure=measure, study=["S1", "S2"])


def test_kernel_sums_over_the_last_axis() -> None:
    cells = [np.array(BCG[x], dtype=float) for x in ("ai", "bi", "ci", "di")]
    batch = BinaryTables(*(np.stack([x, x[::-1]]) for x in cells), study=())
    for measure in ("OR", "RR", "RD"):
        est, var, *_ = _mh_pool(batch, measure)
        single = _mh_pool(BinaryTables(*cells, study=()), measure)
        assert est.shape == (2,)
        assert est[0] == pytest.approx(single[0]) and est[1] == pytest.approx(single[0])
        assert var[0] == pytest.approx(single[1])
