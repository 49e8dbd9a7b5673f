"""Meta-regression against metafor's rma(yi, vi, mods=...): dat.bcg, log risk ratios.

Cases: validation/metafor/fixtures/regression.json, ids
``reg-bcg-RR-<ablat|year|ablat_year|alloc>-<REML|DL>-<z|knha>``; e.g.
``reg-bcg-RR-alloc-REML-knha`` reproduces
``rma(yi, vi, mods=~factor(alloc), data=escalc('RR', ...dat.bcg), method='REML', test='knha')``.
The design matrix (with metafor's treatment coding of factors) is taken from the fixture,
so coefficients are compared by position.
"""

from __future__ import annotations

import pytest

from . import _adapter
from ._fixtures import assert_matches, assert_value, cases, expected_warning


@pytest.mark.parametrize("case", cases("regression.json"))
def test_meta_regression_matches_metafor(case):
    """Coefficients, QM (with both df for knha), R2, residual tau2 and QE = ``r_call``."""
    data = case["input"]
    with expected_warning(case):
        actual = _adapter.meta_regression(data["yi"], data["vi"], data["X"],
                                          data["design_columns"], method=case["method"],
                                          test=case["test"], level=case["level"])
    expected = case["expected"]
    assert_matches(actual, expected, _adapter.REGRESSION_KEYS, case=case)
    assert len(actual["coefficients"]) == len(expected["coefficients"])
    for got, want in zip(actual["coefficients"], expected["coefficients"], strict=True):
        for key in ("estimate", "se", "statistic", "pval", "ci_low", "ci_high"):
            assert_value(key, got[key], want[key],
                         where=f"{case['id']} coefficient {want['name']} [{case['r_call']}]")
