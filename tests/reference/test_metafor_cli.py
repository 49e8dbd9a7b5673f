"""``livingmeta pool --json`` against metafor, end to end from the committed CSV files.

Every rma case (validation/metafor/fixtures/rma.json) and subgroup case
(subgroups.json) carries ``cli_args``, e.g. for ``rma-bcg-RR-PM-knha``::

    livingmeta pool validation/metafor/data/bcg.csv --measure RR --method PM --test knha \
        --level 95 --json

which must reproduce ``rma(yi, vi, data=escalc('RR', ...), method='PM', test='knha')``
(the case's ``r_call``). Unlike test_metafor_rma.py, this goes through CSV reading, escalc
and the JSON renderer, so the per-study yi are checked too.
"""

from __future__ import annotations

import pytest

from . import _adapter
from ._fixtures import assert_matches, assert_value, cases

TOP_KEYS = (
    "k", "estimate", "se", "statistic", "pval", "ci_low", "ci_high", "pi_low", "pi_high",
    "tau2", "tau2_ci", "I2", "I2_ci", "H2", "H2_ci", "Q", "Q_df", "Q_pval", "df",
)


def _check_warnings(case, output, escaped):
    expected = case.get("pipeline_warnings") or (
        [case["expect_warning"]] if case.get("expect_warning") else [])
    assert set(escaped) <= set(expected), (
        f"{case['id']}: unexpected Python warnings {escaped} (expected {expected})")
    if expected:
        assert output["warnings"], f"{case['id']}: JSON 'warnings' should report {expected}"
    elif not case.get("r_warnings"):
        assert output["warnings"] == [], f"{case['id']}: spurious warnings {output['warnings']}"


@pytest.mark.parametrize("case", cases("rma.json"))
def test_pool_json_matches_metafor(case):
    """``livingmeta <cli_args>`` JSON = metafor's ``r_call``."""
    output, escaped = _adapter.run_cli(case["cli_args"])
    expected = dict(case["expected"])
    if case["method"] == "EE" and output.get("tau2") is None:
        expected["tau2"] = None  # DEVELOPERS.md: tau2 is null for EE in the JSON; metafor: 0
    assert output["measure"] == case["measure"]
    assert output["method"] == case["method"]
    assert output["level"] == round(case["level"] * 100)
    assert_matches(output, expected, TOP_KEYS, case=case)
    studies = output["studies"]
    where = f"{case['id']} studies [{case['r_call']}]"
    assert [s["study"] for s in studies] == case["input"]["study"]
    assert_value("yi", [s["yi"] for s in studies], case["input"]["yi"], where=where)
    assert_value("vi", [s["vi"] for s in studies], case["input"]["vi"], where=where)
    assert_value("weight", [s["weight"] for s in studies], expected["weights"], where=where)
    _check_warnings(case, output, escaped)


@pytest.mark.parametrize("case", cases("subgroups.json"))
def test_pool_by_json_matches_metafor(case):
    """``livingmeta <cli_args>`` with ``--by`` = per-level fits and the Q-between test."""
    output, escaped = _adapter.run_cli(case["cli_args"])
    expected = case["expected"]
    by_group = {s["group"]: s for s in output["subgroups"]}
    assert sorted(by_group) == sorted(s["group"] for s in expected["subgroups"])
    keys = [k for k in _adapter.SUBGROUP_KEYS if k != "group"]
    for want in expected["subgroups"]:
        assert_matches(by_group[want["group"]], want, keys,
                       case={**case, "id": f"{case['id']} group {want['group']}"})
    assert_matches(output["subgroup_test"], expected["subgroup_test"], ("Q", "df", "pval"),
                   case=case)
    _check_warnings(case, output, escaped)
