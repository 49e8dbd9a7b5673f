"""Diagnostics against metafor 3.8.1: influence, baujat, cumul, regtest, ranktest, trimfill.

Cases: validation/metafor/fixtures/diagnostics.json (written by
validation/metafor/generate_diagnostics.R), ids ``<function>-<dataset>-<measure>-...``;
each case's ``r_call`` is the metafor call it reproduces (shown on failure).
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

import numpy as np
import pytest

from livingmeta import errors
from livingmeta.bias import ranktest, regtest, trimfill
from livingmeta.sensitivity import baujat, influence
from livingmeta.sequential import cumulative

from ._fixtures import assert_value, cases, load

FILE = "diagnostics.json"
# Written out independently of the manifest (STYLE.md, convention 11).
DATASETS = (("bcg", "RR"), ("normand1999", "SMD"), ("hackshaw1998", "GEN"),
            ("molloy2014", "ZCOR"))
REQUIRED = (
    [f"influence-{d}-{m}-{meth}-z" for d, m in DATASETS for meth in ("REML", "DL")]
    + ["influence-bcg-RR-REML-knha", "influence-bcg-RR-EE-z", "baujat-bcg-RR-REML"]
    + [f"baujat-{d}-{m}-EE" for d, m in DATASETS]
    + [f"cumul-{d}-{m}-REML-z" for d, m in DATASETS]
    + [f"regtest-{d}-{m}-{model}-sei" for d, m in DATASETS for model in ("rma", "lm")]
    + [f"ranktest-{d}-{m}" for d, m in DATASETS]
    + [f"trimfill-{d}-{m}-{meth}-{est}" for (d, m), meth, est in itertools.product(
        DATASETS, ("REML", "EE"), ("L0", "R0", "Q0"))]
)
RTOL_KEYS = {"rstudent": "estimate", "dffits": "estimate", "cook_d": "estimate",
             "cov_r": "estimate", "dfbetas": "estimate", "tau2_del": "tau2", "QE_del": "Q",
             "hat": "weight", "weight": "weight", "x": "Q", "y": "estimate",
             "limit_estimate": "estimate", "limit_ci_low": "ci_low",
             "limit_ci_high": "ci_high", "tau": "estimate", "se_k0": "estimate",
             "p_k0": "pval", "filled_yi": "estimate", "filled_vi": "estimate",
             "k0": "k", "df": "df"}


def test_grid_is_complete():
    data = load(FILE)
    assert data["_generated"] == "by validation/metafor/generate_diagnostics.R — do not edit"
    assert data["metafor_version"] == "3.8.1"
    present = [c["id"] for c in data["cases"]]
    assert present == data["manifest"]["case_ids"]
    assert len(set(present)) == len(present)
    assert set(REQUIRED) <= set(present), sorted(set(REQUIRED) - set(present))
    functions = {c["function"] for c in data["cases"]}
    assert functions == set(data["manifest"]["functions"])
    for function, (dataset, _) in itertools.product(functions, DATASETS):
        assert any(c["function"] == function and c["dataset"] == dataset
                   for c in data["cases"]), (function, dataset)


@contextlib.contextmanager
def _warns(case: dict[str, Any]):
    names = case["expect_warnings"]
    with contextlib.ExitStack() as stack:
        for name in names:
            stack.enter_context(pytest.warns(getattr(errors, name)))
        yield


def _run(case: dict[str, Any]) -> dict[str, Any]:
    i = case["input"]
    y, v, s = np.array(i["yi"], dtype=float), np.array(i["vi"], dtype=float), i["study"]
    f = case["function"]
    if f == "influence":
        r = influence(y, v, method=case["method"], test=case["test"], study=s)
        return {key: getattr(r, key) for key in case["expected"]}
    if f == "baujat":
        r = baujat(y, v, method=case["method"], study=s)
        return {"x": r.x, "y": r.y}
    if f == "cumul":
        r = cumulative(y, v, order=case["order"], method=case["method"], test=case["test"],
                       study=s)
        return {key: getattr(r, key) for key in case["expected"]}
    if f == "regtest":
        r = regtest(y, v, model=case["model"], predictor=case["predictor"],
                    method=case["method"], study=s)
        out = {key: getattr(r, key) for key in case["expected"] if key != "tau2"}
        out["tau2"] = r.fit.tau2 if case["model"] == "rma" else None
        return out
    if f == "ranktest":
        r = ranktest(y, v, study=s)
        return {"tau": r.tau, "pval": r.pval, "exact": r.exact}
    r = trimfill(y, v, method=case["method"], estimator=case["estimator"], study=s)
    out = {"k0": r.k0, "side": r.side, "se_k0": r.se_k0, "p_k0": r.p_k0,
           "filled_yi": r.filled_yi, "filled_vi": r.filled_vi}
    out |= {key: getattr(r.fit, key) for key in (
        "k", "estimate", "se", "statistic", "pval", "ci_low", "ci_high", "tau2", "Q",
        "Q_pval")}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


@pytest.mark.parametrize("case", cases(FILE))
def test_diagnostics_match_metafor(case):
    """Every expected number of ``case['r_call']``, at the tolerances of tolerances.py."""
    with _warns(case):
        actual = _run(case)
    where = f"{case['id']} [{case['r_call']}]"
    for key, expected in case["expected"].items():
        value = _plain(actual[key])
        if isinstance(expected, bool) or (isinstance(expected, list) and expected
                                          and isinstance(expected[0], bool)):
            assert value == expected, f"{where}: {key} = {value!r}, metafor {expected!r}"
            continue
        if key == "study":
            assert list(value) == expected, where
            continue
        if isinstance(value, float) and np.isnan(value):
            value = None
        assert_value(RTOL_KEYS.get(key, key), value, expected, where=f"{where} {key}")
