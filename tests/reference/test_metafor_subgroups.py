"""Subgroup analysis against metafor: dat.bcg (log RR) by allocation method.

Cases: validation/metafor/fixtures/subgroups.json, ids ``subgroup-bcg-RR-alloc-<REML|DL>``.
Per level: ``rma(yi, vi, data=dat, subset=alloc==g, method=M)``. Test for subgroup
differences (RevMan / metafor's documented approach):
``rma(estimates, sei=ses, mods=~factor(group), method='FE')`` -> QM.
The alternative mixed-effects test with a common tau2,
``rma(yi, vi, mods=~factor(alloc), method=M)`` -> QM, is checked through the
meta-regression API.
"""

from __future__ import annotations

import numpy as np
import pytest

from . import _adapter
from ._fixtures import assert_matches, assert_value, cases, expected_warning


@pytest.mark.parametrize("case", cases("subgroups.json"))
def test_subgroups_match_metafor(case):
    """Each level's fit and the between-subgroup Q = ``r_call``."""
    data = case["input"]
    with expected_warning(case):
        actual = _adapter.subgroup_analysis(data["yi"], data["vi"], data["groups"],
                                            method=case["method"], test=case["test"],
                                            level=case["level"])
    expected = case["expected"]
    by_group = {s["group"]: s for s in actual["subgroups"]}
    assert sorted(by_group) == sorted(s["group"] for s in expected["subgroups"])
    for want in expected["subgroups"]:
        keys = [k for k in _adapter.SUBGROUP_KEYS if k != "group"]
        assert_matches(by_group[want["group"]], want, keys,
                       case={**case, "id": f"{case['id']} group {want['group']}"})
    assert_matches(actual["subgroup_test"], expected["subgroup_test"], ("Q", "df", "pval"),
                   case=case)


@pytest.mark.parametrize("case", cases("subgroups.json"))
def test_mixed_effects_subgroup_test_matches_metafor(case):
    """``rma(yi, vi, mods=~factor(alloc), method=M)``: QM with a common tau2."""
    data = case["input"]
    groups = np.asarray(data["groups"])
    levels = sorted(set(data["groups"]))
    X = np.column_stack([np.ones(len(groups))] + [(groups == g).astype(float)
                                                  for g in levels[1:]])
    want = case["expected"]["mixed_effects_test"]
    warn_case = {"expect_warning": "ZeroTau2Warning" if want["tau2"] <= 1e-10 else None}
    with expected_warning(warn_case):
        actual = _adapter.meta_regression(data["yi"], data["vi"], X.tolist(),
                                          ["intrcpt", *levels[1:]], method=case["method"],
                                          test="z", level=case["level"])
    where = f"{case['id']} mixed-effects test [{case['r_call']}]"
    assert_value("QM", actual["QM"], want["Q"], where=where)
    assert_value("QM_df", actual["QM_df"], want["df"], where=where)
    assert_value("QM_pval", actual["QM_pval"], want["pval"], where=where)
    assert_value("tau2", actual["tau2"], want["tau2"], where=where)
