"""rma_mh() and rma_peto() against metafor's rma.mh() and rma.peto().

Cases: validation/metafor/fixtures/mh_peto.json, ids ``mh-<data>-<OR|RR|RD>`` and
``peto-<data>-PETO``; e.g. ``mh-bcg-OR`` reproduces ``rma.mh(ai=ai, bi=bi, ci=ci, di=di,
measure='OR', data=read.csv('validation/metafor/data/bcg.csv'))``
(metafor defaults: add=1/2, to='only0', drop00=TRUE, correct=TRUE), including the
Cochran-Mantel-Haenszel and Tarone tests for OR. The ``zeros``, ``nielweise2007`` and
``yusuf1985_t6`` cases contain single- and double-zero tables.
"""

from __future__ import annotations

import pytest

from . import _adapter
from ._fixtures import assert_matches, cases, expected_warning


@pytest.mark.parametrize("case", cases("mh_peto.json"))
def test_mh_peto_matches_metafor(case):
    """Pooled log estimate, test, CI and heterogeneity = ``r_call``."""
    with expected_warning(case):
        if case["kind"] == "peto":
            actual = _adapter.rma_peto(case["input"])
        else:
            actual = _adapter.rma_mh(case["input"], case["measure"])
    keys = _adapter.MH_KEYS + (_adapter.MH_OR_KEYS if case["measure"] == "OR" else ())
    assert_matches(actual, case["expected"], keys, case=case)
