"""leave_one_out() against metafor's leave1out(): dat.bcg, log risk ratios.

Cases: validation/metafor/fixtures/leave1out.json, ids
``leave1out-bcg-RR-<method>-<test>``; e.g. ``leave1out-bcg-RR-REML-z`` reproduces
``leave1out(rma(yi, vi, data=escalc('RR', ...dat.bcg), method='REML'))``.
"""

from __future__ import annotations

import pytest

from . import _adapter
from ._fixtures import assert_matches, cases, expected_warning


@pytest.mark.parametrize("case", cases("leave1out.json"))
def test_leave_one_out_matches_metafor(case):
    """Per omitted study: estimate, se, z, p, CI, Q, Qp, tau2, I2, H2 = ``r_call``."""
    data = case["input"]
    with expected_warning(case):
        actual = _adapter.leave_one_out(data["yi"], data["vi"], method=case["method"],
                                        test=case["test"], level=case["level"],
                                        study=data["study"])
    assert_matches(actual, case["expected"], _adapter.LEAVE1OUT_KEYS, case=case)
