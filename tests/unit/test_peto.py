"""Unit tests of Peto's one-step odds ratio: identities, zero cells, metafor spot checks."""

from __future__ import annotations

import json
import math

import pytest

from livingmeta.errors import (
    DataValidationError,
    MethodNotApplicableError,
    SingleStudyWarning,
    ZeroCellWarning,
)
from livingmeta.models.peto import rma_peto

# dat.bcg (metadat): tpos, tneg, cpos, cneg
BCG = {
    "ai": [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27],
    "bi": [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886],
    "ci": [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29],
    "di": [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825],
}
ZEROS = {"ai": [0, 2, 0, 5, 1], "bi": [10, 8, 20, 15, 9],
         "ci": [0, 4, 3, 6, 0], "di": [12, 6, 17, 14, 11]}


def test_bcg_matches_metafor() -> None:
    # rma.peto(ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), metafor 3.8.1
    res = rma_peto(**BCG)
    assert res.estimate == pytest.approx(-0.474446310940636, rel=1e-10)
    assert res.se == pytest.approx(0.0406590807446483, rel=1e-10)
    assert res.Q == pytest.approx(167.730167511489, rel=1e-10)
    assert res.I2 == pytest.approx(92.8456519312914, rel=1e-10)
    assert res.weights[7] == pytest.approx(41.2589114, rel=1e-7)


def test_zero_cells_match_metafor() -> None:
    # rma.peto(ai, bi, ci, di) on ZEROS: beta -0.60231727482942, se 0.493197237253979,
    # QE 3.79772882063799 on df = k.yi - 1 = 3, I2 21.0054181937082, metafor 3.8.1
    with pytest.warns(ZeroCellWarning):
        res = rma_peto(**ZEROS)
    assert res.estimate == pytest.approx(-0.60231727482942, rel=1e-10)
    assert res.se == pytest.approx(0.493197237253979, rel=1e-10)
    assert res.Q == pytest.approx(3.79772882063799, rel=1e-10)
    assert res.Q_df == 3
    assert res.I2 == pytest.approx(21.0054181937082, rel=1e-10)
    assert res.weights[0] == 0.0 and math.isnan(res.yi[0])


def test_symmetric_tables_give_zero() -> None:
    res = rma_peto([3, 10, 7], [17, 40, 13], [3, 10, 7], [17, 40, 13])
    assert res.estimate == pytest.approx(0.0, abs=1e-15)
    assert res.Q == pytest.approx(0.0, abs=1e-12)
    assert res.pval == pytest.approx(1.0)


def test_single_table_is_o_minus_e_over_v() -> None:
    a, b, c, d = 2.0, 8.0, 4.0, 6.0
    n1, n2, m1, m2, n = a + b, c + d, a + c, b + d, a + b + c + d
    v = n1 * n2 * m1 * m2 / (n**2 * (n - 1))
    with pytest.warns(SingleStudyWarning):
        res = rma_peto([a], [b], [c], [d])
    assert res.estimate == pytest.approx((a - n1 * m1 / n) / v)
    assert res.se == pytest.approx(1 / math.sqrt(v))
    assert res.yi[0] == pytest.approx(res.estimate) and res.Q_df == 0


def test_swapping_arms_negates_estimate() -> None:
    res = rma_peto(**BCG)
    swapped = rma_peto(BCG["ci"], BCG["di"], BCG["ai"], BCG["bi"])
    assert swapped.estimate == pytest.approx(-res.estimate, rel=1e-12)
    assert swapped.Q == pytest.approx(res.Q, rel=1e-12)


def test_no_information_raises_naming_studies() -> None:
    with pytest.raises(MethodNotApplicableError, match="'A', 'B'"):
        rma_peto([0, 0], [10, 8], [0, 0], [12, 6], study=["A", "B"])


def test_validation_names_study_field_value_rule() -> None:
    with pytest.raises(DataValidationError, match=r"study 'X' \(row 2\): di must be >= 0, got -3"):
        rma_peto([1, 2], [5, 5], [1, 1], [4, -3], study=["W", "X"])


def test_to_dict_and_interval() -> None:
    res = rma_peto(**BCG, level=0.9)
    out = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert out["method"] == "PETO" and out["level"] == 0.9
    assert out["back_transformed"]["estimate"] == pytest.approx(math.exp(res.estimate))
    assert res.confidence_interval(0.9) == pytest.approx((res.ci_low, res.ci_high))
