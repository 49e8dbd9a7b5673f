"""gosh() against metafor's gosh(): every subset, row by row.

Cases: validation/metafor/fixtures/gosh.json (validation/metafor/generate_gosh.R), ids
``gosh-<data>-<measure>-k<k>-<method>``; e.g. ``gosh-bcg-RR-k10-REML`` reproduces
``gosh(rma(yi, vi, data=escalc('RR', ai=ai, bi=bi, ci=ci, di=di,
data=read.csv('validation/metafor/data/bcg.csv')[1:10, ]), method='REML',
control=list(threshold=1e-13, tol=1e-13, maxiter=100000)))``: metafor's ``res$res``
(k, QE, I2, H2, tau2, estimate) and ``res$incl`` (membership, mapped to bitmasks).

One documented difference: for DL (and EE) metafor's gosh() takes a closed-form fast path
(``.profile.rma.uni`` with ``model = 2``) that reports ``H2 = QE / (k - 1)`` even where
tau2 is truncated at 0, whereas ``rma(method='DL')`` reports ``H2 = 1 + tau2 / s2 = 1``
there. gosh() agrees with rma() on each subset, so for DL the reference H2 is
``max(1, QE / (k - 1))`` (equal to metafor's wherever QE >= k - 1).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import tolerances as tol
from livingmeta.sensitivity.gosh import gosh

from ._fixtures import FIXTURES, cases

GRID = {(data, method) for data in ("bcg", "hackshaw1998") for method in ("EE", "DL", "REML")}


def _close(actual, expected, rtol, key, case):
    expected = np.asarray(expected, dtype=float)
    near_zero = np.abs(expected) < tol.NEAR_ZERO_ATOL
    bad = ~np.where(near_zero, np.abs(actual - expected) <= tol.NEAR_ZERO_ATOL,
                    np.abs(actual - expected) <= rtol * np.abs(expected))
    assert not bad.any(), (
        f"{case['id']}: {key} differs in {int(bad.sum())} subsets, first at row "
        f"{int(np.argmax(bad))}: {actual[bad][0]!r} vs metafor {expected[bad][0]!r} "
        f"({case['r_call']})")


def test_grid_is_complete():
    """Every data set x method of generate_gosh.R is pinned (the grid cannot shrink)."""
    data = json.loads((FIXTURES / "gosh.json").read_text(encoding="utf-8"))
    assert {(c["dataset"], c["method"]) for c in data["cases"]} == GRID
    assert data["manifest"]["case_ids"] == [c["id"] for c in data["cases"]]


@pytest.mark.parametrize("case", cases("gosh.json"))
def test_membership_maps_to_bitmasks(case):
    """metafor's ``res$incl`` rows (0/1, study i in column i) are the stored bitmasks."""
    rows = case["rows"]
    masks = [sum(1 << i for i, bit in enumerate(row) if bit == "1") for row in rows["incl"]]
    assert masks == [int(m) for m in rows["subset"]]
    assert len(set(masks)) == len(masks) == 2 ** case["k"] - 1


@pytest.mark.parametrize("case", cases("gosh.json"))
def test_gosh_matches_metafor(case):
    """Each subset's estimate, tau2, I2, H2, QE and k equal ``r_call``'s, in its order."""
    data, rows = case["input"], case["rows"]
    res = gosh(data["yi"], data["vi"], method=case["method"], study=data["study"],
               measure=case["measure"])
    assert not res.sampled
    # Same order as metafor (by size, then expand.grid order = bitmask order).
    assert res.subset.tolist() == [int(m) for m in rows["subset"]]
    np.testing.assert_array_equal(res.k, rows["k"])
    for key, rtol in (("estimate", tol.ESTIMATE_RTOL), ("tau2", tol.TAU2_RTOL),
                      ("I2", tol.HETEROGENEITY_RTOL), ("Q", tol.HETEROGENEITY_RTOL)):
        _close(getattr(res, key), rows[key], rtol, key, case)
    h2 = np.asarray(rows["H2"], dtype=float)
    if case["method"] == "DL":  # rma()'s H2 where tau2 = 0 (module docstring)
        h2 = np.maximum(h2, 1.0)
    _close(res.H2, h2, tol.HETEROGENEITY_RTOL, "H2", case)


def test_dl_h2_difference_is_only_where_q_below_df():
    """The DL H2 difference above occurs exactly where metafor's QE < k - 1 (tau2 = 0)."""
    case = next(c for c in json.loads((FIXTURES / "gosh.json").read_text(encoding="utf-8"))
                ["cases"] if c["method"] == "DL" and c["dataset"] == "hackshaw1998")
    rows = case["rows"]
    q, k, h2 = (np.asarray(rows[key], dtype=float) for key in ("Q", "k", "H2"))
    below = (k > 1) & (q < k - 1)
    assert below.any()
    np.testing.assert_array_less(h2[below], 1.0)
    np.testing.assert_array_equal(np.asarray(rows["tau2"], dtype=float)[below], 0.0)
