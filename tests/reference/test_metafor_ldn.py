"""The LDN review's pooled results against metafor, profile by profile.

Fixture: validation/metafor/fixtures/ldn.json, written by generate_ldn.R from the review's
own effect sizes (validation/metafor/export_ldn.py writes them to
validation/metafor/data/ldn_*.csv). Each case id names outcome, measure and profile, e.g.
``ldn-pain-SMD-cochrane-2025`` for ``rma(yi, vi, method='REML', test='knha')`` on
ldn_pain_SMD.csv; the exact R call is in the case's ``r_call``.
"""

from __future__ import annotations

import csv
import warnings

import pytest

from livingmeta.review import embedded_review_path, load_review, run_review

from ._fixtures import ROOT, assert_matches, load

FIXTURE = load("ldn.json")


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # conversion and k = 2 warnings are recorded
        return run_review(load_review(embedded_review_path()))


def _measure(result, outcome: str, measure: str):
    return result.outcome(outcome).measure(measure)


def test_every_pooled_measure_and_profile_is_pinned(result):
    pinned = {c["id"] for c in FIXTURE["cases"]}
    assert pinned == set(FIXTURE["manifest"])
    expected = {
        f"ldn-{o.outcome.id}-{m.measure}-{p.profile}"
        for o in result.outcomes for m in o.measures if m.pooled for p in m.profiles
    }
    assert expected == pinned


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["id"] for c in FIXTURE["cases"]])
def test_fixture_inputs_are_the_review_effect_sizes(case, result):
    """The CSV metafor pooled holds exactly the yi/vi the review computes today."""
    res = _measure(result, case["outcome"], case["measure"])
    effects = {e.study: e for e in res.effects if e.study in res.analysed}
    with (ROOT / case["data_csv"]).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["study"] for r in rows] == list(res.analysed)
    for row in rows:
        assert float(row["yi"]) == pytest.approx(effects[row["study"]].yi, rel=1e-14)
        assert float(row["vi"]) == pytest.approx(effects[row["study"]].vi, rel=1e-14)


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[c["id"] for c in FIXTURE["cases"]])
def test_profile_result_matches_metafor(case, result):
    res = _measure(result, case["outcome"], case["measure"])
    est = {p.profile: p for p in res.profiles}[case["profile"]]
    actual = {key: getattr(est, key) for key in case["expected"]}
    assert_matches(actual, case["expected"], list(case["expected"]), case=case)
