"""diff_versions: the LDN review before and after INNOVA 2026, and made-up versions.

Reference values: validation/metafor/data/ldn_pain_SMD.csv holds the review's pain SMDs
(tests/reference/test_metafor_ldn.py checks they are the review's own). The "before"
numbers are metafor 3.8.1 on its first three rows (INNOVA 2026 left out)::

    d <- read.csv('validation/metafor/data/ldn_pain_SMD.csv')
    res <- rma(yi, vi, data=d[d$study != 'INNOVA 2026',], method='REML', test='knha',
               control=list(threshold=1e-13, tol=1e-13)); predict(res)

The "after" numbers are the pinned fixture ldn-pain-SMD-cochrane-2025
(validation/metafor/fixtures/ldn.json, the same call on all four rows).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from livingmeta.appraisal import appraise_review
from livingmeta.errors import ParameterError
from livingmeta.models import rma
from livingmeta.review import (
    ReviewDiff,
    diff_versions,
    embedded_review_path,
    example_review_path,
    living_numbers,
    load_review,
    run_review,
)
from livingmeta.review.profiles import get_profile
from livingmeta.summary import Summary

TESTS = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("tolerances", TESTS / "tolerances.py")
assert _spec is not None and _spec.loader is not None
tolerances = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tolerances)
ESTIMATE_RTOL = tolerances.ESTIMATE_RTOL
LDN = embedded_review_path()
# metafor 3.8.1, the R call in the module docstring (k = 3)
R_BEFORE = {"estimate": -0.235994359704569, "ci_low": -0.704840136806329,
            "ci_high": 0.232851417397192, "pi_low": -0.84632910164381,
            "pi_high": 0.374340382234673}
_FIXTURE = TESTS.parent / "validation" / "metafor" / "fixtures" / "ldn.json"
R_AFTER = next(c["expected"] for c in json.loads(_FIXTURE.read_text())["cases"]
               if c["id"] == "ldn-pain-SMD-cochrane-2025")


@pytest.fixture(scope="module")
def review():
    return load_review(LDN)


@pytest.fixture(scope="module")
def diff(review):
    return diff_versions(review, "v1", "v2")


@pytest.mark.parametrize(("side", "expected", "k"), [("before", R_BEFORE, 3),
                                                     ("after", R_AFTER, 4)])
def test_pain_before_and_after_match_metafor(diff, side, expected, k):
    snap = getattr(diff.outcome("pain"), side)
    assert (snap.measure, snap.pooled, snap.k, snap.level) == ("SMD", True, k, 0.95)
    for name in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
        assert getattr(snap, name) == pytest.approx(expected[name], rel=ESTIMATE_RTOL)


def test_before_is_the_current_analysis_without_innova(diff, review):
    """Independent of versions.toml: the full run's effects, INNOVA left out, pooled
    with the primary profile's model (REML, Knapp-Hartung)."""
    pain = run_review(review).primary_outcome.main
    kept = [e for e in pain.effects if e.status == "included" and e.study != "INNOVA 2026"]
    direct = rma(np.array([e.yi for e in kept]), np.array([e.vi for e in kept]),
                 method="REML", test="knha")
    before = diff.outcome("pain").before
    assert before.studies == tuple(e.study for e in kept)
    assert before.estimate == pytest.approx(direct.estimate, rel=ESTIMATE_RTOL)
    assert (before.ci_low, before.ci_high) == pytest.approx((direct.ci_low, direct.ci_high),
                                                            rel=ESTIMATE_RTOL)
    after = diff.outcome("pain").after
    assert after.estimate == pytest.approx(pain.primary.estimate, rel=1e-12)
    assert after.studies == pain.analysed


def test_certainty_before_and_after_is_grade_of_each_analysis(diff, review):
    current = run_review(review)
    grade_now = {a.outcome: a.certainty for a in appraise_review(review, current).grade}
    studies = tuple(dataclasses.replace(s, status="excluded") if s.study == "INNOVA 2026"
                    else s for s in review.studies)
    then = dataclasses.replace(review, studies=studies)
    grade_then = {a.outcome: a.certainty
                  for a in appraise_review(then, run_review(then)).grade}
    for change in diff.outcomes:
        assert change.before.certainty == grade_then[change.outcome]
        assert change.after.certainty == grade_now[change.outcome]
    assert diff.outcome("pain").before.certainty is not None


def test_studies_records_and_prisma_of_the_update(diff):
    assert [(s.study, s.change, s.before, s.after) for s in diff.studies] == [
        ("INNOVA 2026", "new", None, "included")]
    # versions.toml: v1 had not seen these four records of the 2026-11-23 files
    assert {r.record_id for r in diff.new_records} == {
        "pubmed.nbib#3", "ctgov.json#4", "websites.csv#9", "citation.ris#6"}
    by_id = {r.record_id: r for r in diff.new_records}
    assert (by_id["pubmed.nbib#3"].decision, by_id["pubmed.nbib#3"].study) == (
        "include", "INNOVA 2026")
    assert by_id["websites.csv#9"].decision == "duplicate"
    assert by_id["ctgov.json#4"].source == "ClinicalTrials.gov"
    assert diff.removed_records == ()
    p = diff.prisma
    assert p is not None and p.updated
    # INNOVA's two included reports are new; the whole folder has 4 studies in 14 reports
    assert (p.studies_included, p.reports_included) == (1, 2)
    assert (p.total_studies, p.total_reports) == (4, 14)
    assert (p.previous_studies, p.previous_reports) == (3, 12)
    assert diff.before.flow is not None and not diff.before.flow.updated


def test_outcome_that_becomes_pooled(diff):
    ae = diff.outcome("ae_any")
    assert not ae.before.pooled and ae.before.k == 1 and ae.before.note
    assert ae.after.pooled and ae.after.k == 2
    d = ae.to_dict()
    assert d["estimate_change"] is None and d["significance_changed"] is None
    assert d["after"]["back_transformed"]["estimate"] == pytest.approx(
        math.exp(ae.after.estimate))
    assert "RR not pooled (k = 1) -> " in ae.sentence
    assert f"{math.exp(ae.after.estimate):.2f} (95% CI" in ae.sentence


def test_summary_says_each_change_in_one_sentence(diff):
    s = diff.summary()
    assert isinstance(s, Summary)
    b, a = R_BEFORE, R_AFTER
    pain = (f"Pain intensity: SMD {b['estimate']:.2f} (95% CI {b['ci_low']:.2f} to "
            f"{b['ci_high']:.2f}; k = 3) -> {a['estimate']:.2f} ({a['ci_low']:.2f} to "
            f"{a['ci_high']:.2f}; k = 4); certainty Low -> Low.")
    assert pain in s.lines
    assert "New study: INNOVA 2026 (included)." in s.lines
    assert any(line.startswith("Records: 4 new (") and "1 removed as a duplicate" in line
               for line in s.lines)
    assert ("PRISMA 2020 (updated review): 3 studies in 12 reports from version v1; "
            "1 new study in 2 reports; 4 studies in 14 reports in total.") in s.lines
    # one study, one records line, one per outcome, one PRISMA line, the TSA verdict and
    # the posterior probability beyond the MID
    assert len(s.lines) == len(set(s.lines)) == 1 + 1 + len(diff.outcomes) + 1 + 2
    text = s.as_text()
    assert "Before INNOVA" in text and "INNOVA 2026 added" in text
    assert f"{a['pi_low']:.2f} to {a['pi_high']:.2f}" in text  # the PI after
    assert "<table>" in s.as_html() and "| Study |" in s.as_markdown()


def test_to_dict_is_json_safe_and_keeps_the_contract(diff):
    d = diff.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text) == d
    assert set(d) >= {"title", "profile", "level", "from", "to", "studies", "records",
                      "outcomes", "prisma", "lines", "provenance", "warnings"}
    assert d["level"] == 95 and d["profile"] == "cochrane-2025"
    assert d["from"]["id"] == "v1" and d["to"]["included"][-1] == "INNOVA 2026"
    assert d["from"]["tsa_status"] == "not yet conclusive"
    assert 0 < d["to"]["p_benefit_mcid"] < 1
    assert d["prisma"] == {"previous_studies": 3, "previous_reports": 12, "new_studies": 1,
                           "new_reports": 2, "total_studies": 4, "total_reports": 14}
    pain = d["outcomes"][0]
    assert pain["outcome"] == "pain" and pain["k_change"] == 1
    assert pain["estimate_change"] == pytest.approx(R_AFTER["estimate"] - R_BEFORE["estimate"],
                                                    rel=ESTIMATE_RTOL)
    assert pain["before"]["level"] == 95 and pain["before"]["back_transformed"] is None
    assert d["provenance"]["function"] == "diff_versions"
    assert d["provenance"]["options"]["from"] == "v1"
    assert len(d["provenance"]["input_digest"]) == 64


def test_another_profile_pools_both_versions_with_it(review, diff):
    other = diff_versions(review, "v1", "v2", profile="revman5")
    assert other.profile == "revman5"
    pain = other.outcome("pain")
    kept = run_review(review).primary_outcome.main.effects
    yi = np.array([e.yi for e in kept if e.status == "included"])
    vi = np.array([e.vi for e in kept if e.status == "included"])
    dl = rma(yi, vi, method="DL", test="z")
    assert pain.after.estimate == pytest.approx(dl.estimate, rel=ESTIMATE_RTOL)
    assert math.isnan(pain.after.pi_low)  # RevMan 5 shows no prediction interval
    assert other.provenance.input_digest != diff.provenance.input_digest


def test_bad_version_arguments(review):
    with pytest.raises(ParameterError, match=r"'from_id'.*\{'v1', 'v2'\}"):
        diff_versions(review, "v0", "v2")
    with pytest.raises(ParameterError, match=r"'to_id'.*\{'v1', 'v2'\}"):
        diff_versions(review, "v1", "v3")
    with pytest.raises(ParameterError, match="earlier than"):
        diff_versions(review, "v2", "v1")
    with pytest.raises(ParameterError, match="earlier than"):
        diff_versions(review, "v2", "v2")
    with pytest.raises(ParameterError, match="profile"):
        diff_versions(review, "v1", "v2", profile="nope")


V3 = """
[[versions]]
id = "v3"
label = "Bested dropped"
date = 2027-01-31
included = ["Younger 2013", "FINAL 2024", "INNOVA 2026"]
excluded = ["de Paula 2023"]
records = ["pubmed.nbib", "ctgov.json", "citation.ris"]
"""


def test_removed_studies_status_changes_and_records_no_longer_listed(tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(LDN, folder)
    with (folder / "versions.toml").open("a", encoding="utf-8") as handle:
        handle.write(V3)
    review = load_review(folder)
    diff = diff_versions(review, "v2", "v3")
    assert [(s.study, s.change, s.before, s.after) for s in diff.studies] == [
        ("Younger 2009", "removed", "sensitivity-only", None),
        ("Bested 2023", "removed", "included", None),
        ("de Paula 2023", "status changed", "awaiting-data", "excluded")]
    assert len(diff.removed_records) == 11 and diff.new_records == ()  # websites.csv
    pain = diff.outcome("pain").after
    effects = {e.study: e for e in run_review(review).primary_outcome.main.effects}
    kept = [effects[s] for s in ("Younger 2013", "FINAL 2024", "INNOVA 2026")]
    direct = rma(np.array([e.yi for e in kept]), np.array([e.vi for e in kept]),
                 method="REML", test="knha")
    assert pain.k == 3 and pain.estimate == pytest.approx(direct.estimate, rel=ESTIMATE_RTOL)
    lines = diff.lines()
    assert "Study no longer listed: Bested 2023 (was included)." in lines
    assert "Status changed: de Paula 2023, awaiting data -> excluded." in lines
    assert "No new records; 11 records no longer listed." in lines
    # a diff over two steps compares the first and the last version directly
    assert [s.study for s in diff_versions(review, "v1", "v3").studies] == [
        "Younger 2009", "Bested 2023", "de Paula 2023", "INNOVA 2026"]


def test_review_without_records_has_no_prisma(tmp_path):
    folder = tmp_path / "bcg"
    shutil.copytree(example_review_path(), folder)
    review = load_review(folder)
    names = [s.study for s in review.studies]
    (folder / "versions.toml").write_text(
        f'[[versions]]\nid = "first"\ndate = 1980-01-01\nincluded = {json.dumps(names[:-3])}\n'
        f'[[versions]]\nid = "all"\ndate = 1995-01-01\nincluded = {json.dumps(names)}\n')
    diff = diff_versions(load_review(folder), "first", "all")
    assert isinstance(diff, ReviewDiff)
    assert diff.prisma is None and diff.new_records == () and diff.after.flow is None
    assert [s.study for s in diff.studies] == names[-3:]
    effects = run_review(review).primary_outcome.main.effects
    yi = np.array([e.yi for e in effects if e.study in names[:-3]])
    vi = np.array([e.vi for e in effects if e.study in names[:-3]])
    profile = get_profile(review.analysis.primary_profile)  # metafor: REML, z
    direct = rma(yi, vi, method=profile.method, test=profile.test)
    tb = diff.outcomes[0]
    assert tb.before.k == len(names) - 3
    assert tb.before.estimate == pytest.approx(direct.estimate, rel=ESTIMATE_RTOL)
    assert not any(line.startswith(("Records", "PRISMA")) for line in diff.lines())
    assert json.loads(json.dumps(diff.to_dict(), allow_nan=False))["prisma"] is None


def test_living_numbers_are_the_tsa_verdict_and_the_posterior_beyond_the_mid(review, diff):
    from livingmeta.models import bayes_meta
    from livingmeta.sequential import trial_sequential_analysis

    result = run_review(review)
    numbers = living_numbers(review, result)
    # independently: the same analyses called directly on the included pain effects
    pain = result.outcome("pain").main
    effects = sorted((e for e in pain.effects if e.study in pain.analysed),
                     key=lambda e: e.year)
    y, v = [e.yi for e in effects], [e.vi for e in effects]
    n = [round(e.inputs["n1i"] + e.inputs["n2i"]) if "n1i" in e.inputs else round(e.inputs["ni"])
         for e in effects]
    plan = review.analysis.living
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tsa = trial_sequential_analysis(y, v, n, measure="SMD", delta=plan.tsa.delta,
                                        method=plan.tsa.method)
    bayes = bayes_meta(y, v, mu_prior=plan.bayes.mu_prior, tau_prior=plan.bayes.tau_priors[0],
                       threshold=-0.2)  # grade.toml: mid = 0.2, lower is better
    assert numbers == {"tsa_status": tsa.verdict, "p_benefit_mcid": bayes.p_beyond_threshold}
    assert diff.after.tsa_status == tsa.verdict
    assert diff.after.p_benefit_mcid == pytest.approx(bayes.p_beyond_threshold)
    assert diff.before.p_benefit_mcid != diff.after.p_benefit_mcid
    filled = dataclasses.replace(diff, after=dataclasses.replace(
        diff.after, tsa_status="futility boundary crossed", p_benefit_mcid=0.07))
    lines = filled.lines()
    assert ("Trial sequential analysis: not yet conclusive -> futility boundary crossed."
            in lines)
    before = diff.before.p_benefit_mcid
    assert f"Probability of a benefit beyond the MCID: {before:.2f} -> 0.07." in lines
