"""The batch engine against ``rma`` and ``pool_table`` called on each meta-analysis.

Reference: every row of the batch output must equal what ``livingmeta.models.rma`` (yi/vi)
or ``livingmeta.pooling.pool_table`` (arm-level columns, ``livingmeta pool``) gives for
that meta-analysis alone -- and those are pinned against metafor's ``rma()`` /
``confint()`` / ``predict()`` in tests/reference. Tolerances: BATCH_RTOL relative with
the BATCH_ATOL floor (tests/tolerances.py).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from livingmeta.batch.columns import pool_columns
from livingmeta.batch.engine import OUTPUT_COLUMNS, pool_groups
from livingmeta.data import study_table_from_frame
from livingmeta.errors import (
    ConvergenceWarning,
    ParameterError,
    Problem,
    SingleStudyWarning,
    ZeroTau2Warning,
)
from livingmeta.models import rma
from livingmeta.pooling import pool_table
from tolerances import BATCH_ATOL, BATCH_RTOL

FIELDS = ("estimate", "se", "statistic", "pval", "ci_low", "ci_high", "pi_low", "pi_high",
          "tau2", "I2", "H2", "Q", "Q_pval")


def varied_table(seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long format, ids interleaved on purpose (pool_groups need not have them contiguous):
    ragged k from 1 to 30, k = 1, homogeneous sets (tau2 at 0), identical yi, missing
    values, vi <= 0 and a meta-analysis with no usable row."""
    rng = np.random.default_rng(seed)
    sizes = [1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30]
    ids, yi, vi = [], [], []
    for j, k in enumerate(sizes):
        v = rng.uniform(0.005, 0.3, k)
        tau2 = [0.0, 0.02, 0.2, 1.0][j % 4]
        y = rng.normal(0.2 * (j % 3) - 0.2, np.sqrt(v + tau2))
        ids += [f"m{j:02d}"] * k
        yi += y.tolist()
        vi += v.tolist()
    ids += ["same"] * 4 + ["homog"] * 6 + ["empty"] * 2 + ["holes"] * 6
    yi += [0.3] * 4 + [0.10, 0.11, 0.09, 0.10, 0.105, 0.095] + [np.nan, 0.2]
    vi += [0.05, 0.1, 0.2, 0.07] + [0.1] * 6 + [0.1, -0.1]
    yi += [0.5, np.nan, -0.2, 0.9, 0.1, 0.4]
    vi += [0.1, 0.2, np.nan, 0.0, 0.05, 0.3]
    order = rng.permutation(len(ids))  # interleave the meta-analyses
    return np.array(ids, dtype=object)[order], np.array(yi)[order], np.array(vi)[order]


def close(actual: float, expected: float) -> bool:
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    if math.isinf(expected):
        return actual == expected
    return abs(actual - expected) <= BATCH_ATOL + BATCH_RTOL * abs(expected)


def rma_row(y: np.ndarray, v: np.ndarray, method: str, test: str) -> dict[str, object]:
    """The expected batch row: rma on this meta-analysis alone (+ its tau2 Q-profile CI)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = rma(y, v, method=method, test=test)
    ci = (res.tau2_confidence_interval() if res.k >= 2 and method not in ("EE", "FE")
          else None)
    row: dict[str, object] = {f: getattr(res, f) for f in FIELDS}
    row["tau2_ci_low"] = math.nan if ci is None else ci.tau2_ci_low
    row["tau2_ci_high"] = math.nan if ci is None else ci.tau2_ci_high
    row |= {"k": res.k, "converged": res.converged,
            "kinds": {w.category for w in caught}}
    return row


def check_against_rma(ids, yi, vi, method: str, test: str) -> int:
    table = pool_groups(ids, yi, vi, method=method, test=test)
    frame = table.to_frame().set_index("id")
    valid = np.isfinite(yi) & np.isfinite(vi) & (vi > 0)
    checked = 0
    for name in pd.unique(ids):
        rows = (ids == name) & valid
        if not rows.any():
            assert name not in frame.index
            continue
        expected = rma_row(yi[rows], vi[rows], method, test)
        got = frame.loc[name]
        assert got["k"] == expected["k"]
        assert bool(got["converged"]) == expected["converged"]
        for field in (*FIELDS, "tau2_ci_low", "tau2_ci_high"):
            assert close(float(got[field]), float(expected[field])), (name, field,
                                                                       got[field], expected)
        kinds = expected["kinds"]
        text = got["warnings"]
        assert ("k = 1" in text) == (SingleStudyWarning in kinds)
        assert ("tau2 estimated at 0" in text) == (ZeroTau2Warning in kinds)
        assert ("did not converge" in text) == (ConvergenceWarning in kinds)
        dropped = int(np.sum(ids == name)) - int(np.sum(rows))
        assert (f"{dropped} row" in text) == (dropped > 0)
        checked += 1
    return checked


@pytest.mark.parametrize("method", ["EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB",
                                    "PM"])
def test_every_method_equals_rma_on_each_meta_analysis(method):
    ids, yi, vi = varied_table()
    assert check_against_rma(ids, yi, vi, method, "z") == 21  # 22 ids, 'empty' has k = 0


@pytest.mark.parametrize("method", ["DL", "REML", "PM", "EE"])
@pytest.mark.parametrize("test", ["knha", "adhoc"])
def test_t_tests_equal_rma_on_each_meta_analysis(method, test):
    ids, yi, vi = varied_table(seed=11)
    assert check_against_rma(ids, yi, vi, method, test) == 21


def test_varied_table_covers_the_hard_cases():
    """The grid is not vacuous: k = 1, tau2 at 0, dropped rows and k = 0 all occur."""
    ids, yi, vi = varied_table()
    table = pool_groups(ids, yi, vi, method="REML")
    assert set(table.k.tolist()) >= {1, 2, 3, 30}
    assert np.sum((table.tau2 == 0) & (table.k > 1)) >= 2
    assert any("dropped" in w for w in table.warnings)
    assert [s.id for s in table.skipped] == ["empty"]
    assert table.skipped[0].reason == "k = 0"


def test_output_order_columns_and_dict():
    table = pool_groups(["b", "a", "b", "c", "a"], [0.1, 0.4, 0.3, 0.2, 0.5], [0.1] * 5,
                        method="DL", level=0.9)
    assert table.id.tolist() == ["b", "a", "c"]  # first appearance
    assert tuple(table.to_frame().columns) == OUTPUT_COLUMNS
    d = table.to_dict()
    assert d["tau2_ci_low"][2] is None  # k = 1: no tau2 CI (pool gives null)
    assert d["level"] == 0.9 and d["method"] == "DL"
    assert "Batch pooling: 3 meta-analyses" in table.summary().as_text()


def test_common_effect_has_no_prediction_interval_or_tau2_ci():
    table = pool_groups([1, 1, 1, 2], [0.1, 0.4, 0.3, 0.2], [0.1] * 4, method="EE")
    assert np.isnan(table.pi_low).all() and np.isnan(table.tau2_ci_high).all()
    assert not table.tau2_ci and (table.tau2 == 0).all()


def test_no_tau2_ci_leaves_nan():
    table = pool_groups([1, 1, 1], [0.1, 0.9, 0.3], [0.01] * 3, method="REML", tau2_ci=False)
    assert np.isnan(table.tau2_ci_low).all() and table.tau2[0] > 0


def test_k1_under_knha_says_test_set_to_z():
    table = pool_groups(["x"], [0.4], [0.04], method="REML", test="knha")
    assert table.warnings[0].endswith("test set to z")
    assert table.ci_high[0] == pytest.approx(0.4 + 1.959963984540054 * 0.2, rel=1e-14)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "MH"}, "'method' parameter"), ({"test": "t"}, "'test' parameter"),
    ({"level": 95}, "'level' parameter")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        pool_groups([1, 1], [0.1, 0.2], [0.1, 0.1], **kwargs)


def test_bad_shapes_and_missing_ids():
    with pytest.raises(ParameterError, match="one length"):
        pool_groups([1, 1], [0.1, 0.2, 0.3], [0.1, 0.1, 0.1])
    with pytest.raises(ParameterError, match="row 2"):
        pool_groups(np.array(["a", None], dtype=object), [0.1, 0.2], [0.1, 0.1])


# --- arm-level columns: one escalc call per chunk, against pool_table per meta-analysis ---

def binary_frame() -> pd.DataFrame:
    rows = [("t1", 4, 50, 9, 50), ("t1", 0, 40, 3, 41), ("t1", 7, 60, 7, 58),  # zero cell
            ("t2", 12, 100, 20, 100),  # k = 1
            ("t3", 2, 30, 2, 30), ("t3", 3, 30, 3, 30), ("t3", 5, 40, 5, 40),  # tau2 at 0
            ("t4", 10, 80, 14, 80), ("t4", None, 80, 12, 80), ("t4", 8, 70, 15, 75),
            ("t4", 20, 90, 30, 90), ("t4", 1, 25, 6, 25)]
    return pd.DataFrame(rows, columns=["id", "ai", "n1i", "ci", "n2i"])


def smd_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    out = []
    for j, k in enumerate([1, 2, 4, 7, 11]):
        for _ in range(k):
            n1, n2 = rng.integers(10, 80, 2)
            out.append((f"s{j}", n1, 10 + rng.normal(0, 1), 2 + rng.uniform(0, 1),
                        n2, 9.5 + rng.normal(0, 1), 2 + rng.uniform(0, 1)))
    frame = pd.DataFrame(out, columns=["id", "n1i", "m1i", "sd1i", "n2i", "m2i", "sd2i"])
    frame.loc[5, "m1i"] = np.nan  # a missing mean: that study is dropped
    return frame


def check_against_pool(frame: pd.DataFrame, measure: str, method: str, test: str) -> int:
    columns = {c: frame[c].to_numpy(dtype=float) for c in frame.columns if c != "id"}
    table = pool_columns(frame["id"].to_numpy(dtype=object), columns, measure=measure,
                         method=method, test=test)
    got = table.to_frame().set_index("id")
    for name, part in frame.groupby("id", sort=False):
        sub = study_table_from_frame(part.drop(columns="id").astype(object).where(
            part.drop(columns="id").notna(), ""))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pooled = pool_table(sub, measure=measure, method=method, test=test)
        fit, ci = pooled.fit, pooled.tau2_interval
        expected = {f: getattr(fit, f) for f in FIELDS} | {
            "tau2_ci_low": math.nan if ci is None else ci.tau2_ci_low,
            "tau2_ci_high": math.nan if ci is None else ci.tau2_ci_high}
        row = got.loc[name]
        assert row["k"] == fit.k
        for field, value in expected.items():
            assert close(float(row[field]), float(value)), (name, field, row[field], value)
        assert ("dropped" in row["warnings"]) == bool(pooled.dropped)
    return len(got)


@pytest.mark.parametrize("method, test", [("REML", "z"), ("PM", "knha"), ("EE", "z")])
def test_binary_or_equals_pool_table(method, test):
    assert check_against_pool(binary_frame(), "OR", method, test) == 4


def test_zero_cell_correction_is_reported_per_meta_analysis():
    frame = binary_frame()
    columns = {c: frame[c].to_numpy(dtype=float) for c in ("ai", "n1i", "ci", "n2i")}
    table = pool_columns(frame["id"].to_numpy(dtype=object), columns, measure="OR")
    assert [("zero-cell" in w) for w in table.warnings] == [True, False, False, False]


@pytest.mark.parametrize("method, test", [("REML", "z"), ("DL", "knha")])
def test_smd_equals_pool_table(method, test):
    assert check_against_pool(smd_frame(), "SMD", method, test) == 5


def test_generic_sei_and_ci_columns_equal_pool_table():
    frame = pd.DataFrame({"id": ["g1", "g1", "g1", "g2", "g2"],
                          "yi": [0.2, 0.5, np.nan, -0.1, 0.3],
                          "sei": [0.1, np.nan, 0.2, 0.15, 0.2],
                          "ci_lb": [np.nan, 0.1, np.nan, np.nan, np.nan],
                          "ci_ub": [np.nan, 0.9, np.nan, np.nan, np.nan]})
    assert check_against_pool(frame, None, "REML", "z") == 2


def test_bad_rows_skip_only_their_meta_analysis():
    frame = smd_frame()
    frame.loc[3, "sd1i"] = -1.5  # id s2
    frame.loc[14, "n2i"] = 0  # id s4
    columns = {c: frame[c].to_numpy(dtype=float) for c in frame.columns if c != "id"}
    given = [Problem(2, None, "m2i", "abc", "must be a number")]  # row 2 is id s1
    table = pool_columns(frame["id"].to_numpy(dtype=object), columns, measure="SMD",
                         problems=given)
    assert table.id.tolist() == ["s0", "s3"]
    assert [s.id for s in table.skipped] == ["s1", "s2", "s4"]
    s2 = table.skipped[1]
    assert (s2.problems[0].row, s2.problems[0].field, s2.problems[0].value) == (4, "sd1i", -1.5)
    assert "row 15: n2i" in str(table.skipped[2])
    clean = pool_columns(frame["id"].to_numpy(dtype=object)[:1],
                         {c: v[:1] for c, v in columns.items()}, measure="SMD")
    assert clean.estimate[0] == table.estimate[0]  # s0 is unaffected by the bad ones


def test_missing_measure_column_is_fatal():
    with pytest.raises(Exception, match="sd1i"):
        pool_columns(["a"], {"m1i": [1.0], "m2i": [2.0], "n1i": [10], "n2i": [10]},
                     measure="SMD")
    with pytest.raises(ParameterError, match="'measure' parameter is required"):
        pool_columns(["a"], {"ai": [1.0]})


def test_yi_vi_shortcut_equals_the_escalc_path():
    """With only yi and vi the effect sizes skip escalc; adding an empty sei column forces
    the escalc path: both must pool and reject (vi <= 0) the same rows."""
    ids, yi, vi = varied_table(seed=3)
    order = np.argsort(ids, kind="stable")
    ids, yi, vi = ids[order], yi[order], vi[order]
    fast = pool_columns(ids, {"yi": yi, "vi": vi}, method="REML")
    slow = pool_columns(ids, {"yi": yi, "vi": vi, "sei": np.full(yi.size, np.nan)},
                        method="REML")
    pd.testing.assert_frame_equal(fast.to_frame(), slow.to_frame(), check_exact=True)
    assert [str(s) for s in fast.skipped] == [str(s) for s in slow.skipped]
    assert [s.id for s in fast.skipped] == ["empty", "holes"]  # vi = -0.1 and vi = 0
    assert "vi must be > 0, got 0" in str(fast.skipped[1])
