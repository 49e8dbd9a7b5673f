"""rma() against metafor's rma.uni(): every estimator x test x data set, plus edge cases.

Cases: validation/metafor/fixtures/rma.json (published data sets, level 90, and the edge
cases k = 1, 2, 3, tau2 at zero, all vi equal, k = 1000). Each test id is the case id,
e.g. ``rma-bcg-RR-PM-knha`` for ``rma(yi, vi, data=escalc('RR', ai=ai, bi=bi, ci=ci,
di=di, data=read.csv('validation/metafor/data/bcg.csv')), method='PM', test='knha')``;
the full call, with its control settings, is in each case's ``r_call``.
The library is given metafor's own yi and vi, so these tests do not depend on escalc.
"""

from __future__ import annotations

import pytest

from . import _adapter
from ._fixtures import assert_matches, cases, expected_warning

KEYS = (*_adapter.RMA_KEYS, "tau2_ci", "I2_ci", "H2_ci")


@pytest.mark.parametrize("case", cases("rma.json"))
def test_rma_matches_metafor(case):
    """Estimate, CI, PI, tau2 with its Q-profile CI, I2, H2, Q and weights = ``r_call``."""
    data = case["input"]
    with expected_warning(case):
        actual = _adapter.rma(data["yi"], data["vi"], method=case["method"],
                              test=case["test"], level=case["level"], study=data["study"])
    assert_matches(actual, case["expected"], KEYS, case=case)
