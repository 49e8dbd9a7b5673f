"""escalc() against metafor's escalc(): yi and vi per study, every measure.

Cases: validation/metafor/fixtures/escalc.json; each test id is the case id and each
failure message quotes the R call, e.g.
``escalc('OR', ai=ai, bi=bi, ci=ci, di=di, data=read.csv('validation/metafor/data/zeros.csv'),
add=0.5, to='only0', drop00=TRUE)``.
"""

from __future__ import annotations

import pytest

from . import _adapter
from ._fixtures import assert_matches, cases, expected_warning


@pytest.mark.parametrize("case", cases("escalc.json"))
def test_escalc_matches_metafor(case):
    """yi and vi equal metafor's ``case['r_call']`` (NA in metafor = NaN here)."""
    with expected_warning(case):
        actual = _adapter.escalc(case["measure"], case["inputs"], case["options"],
                                 case["study"])
    assert_matches(actual, case["expected"], ("yi", "vi"), case=case)
