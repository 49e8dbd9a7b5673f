"""Running reviews: profiles, single-study outcomes, provenance, the LDN numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from livingmeta.models import rma, rma_mh
from livingmeta.review import (
    PROFILES,
    embedded_review_path,
    load_review,
    run_review,
)
from livingmeta.summary import Summary


@pytest.fixture(scope="module")
def review():
    return load_review(embedded_review_path())


@pytest.fixture(scope="module")
def result(review):
    return run_review(review)


def test_primary_pain_analysis_is_the_declared_profile(result):
    pain = result.primary_outcome.main
    assert pain.measure == "SMD" and pain.pooled
    assert pain.analysed == ("Younger 2013", "Bested 2023", "FINAL 2024", "INNOVA 2026")
    est = pain.primary
    assert est.profile == "cochrane-2025"
    assert est.settings == {**PROFILES["cochrane-2025"].settings(), "model": "RE"}
    direct = rma([e.yi for e in pain.effects if e.status == "included"],
                 [e.vi for e in pain.effects if e.status == "included"],
                 method="REML", test="knha")
    assert est.estimate == pytest.approx(direct.estimate, rel=1e-12)
    assert (est.ci_low, est.ci_high) == pytest.approx((direct.ci_low, direct.ci_high))
    assert (est.pi_low, est.pi_high) == pytest.approx((direct.pi_low, direct.pi_high))
    assert est.df == 3 and math.isfinite(est.tau2_ci_high)


def test_profiles_change_the_method_as_declared(result, review):
    pain = result.primary_outcome.main
    by_name = {p.profile: p for p in pain.profiles}
    assert set(by_name) == {"revman5", "metafor", "cochrane-2025", "mkh"}
    assert by_name["revman5"].fit.method == "DL" and by_name["revman5"].df is None
    assert math.isnan(by_name["revman5"].pi_low)  # RevMan 5 shows no prediction interval
    assert by_name["metafor"].fit.method == "REML" and by_name["metafor"].fit.test == "z"
    assert by_name["cochrane-2025"].fit.test == "knha"
    assert by_name["mkh"].fit.test == "adhoc"
    ae = result.outcome("ae_any").main
    # k = 2 with tau2 at 0: the untruncated Knapp-Hartung interval can be narrower than
    # z; the ad hoc modification never is (Roever, Knapp & Friede 2015).
    ae_profiles = {p.profile: p for p in ae.profiles}
    z_width = ae_profiles["metafor"].ci_high - ae_profiles["metafor"].ci_low
    assert ae_profiles["mkh"].ci_high - ae_profiles["mkh"].ci_low >= z_width
    mh = {p.profile: p for p in ae.profiles}["revman5"]
    assert mh.settings["model"] == "MH"
    direct = rma_mh([41, 33], [8, 15], [43, 36], [7, 14], measure="RR")
    assert mh.estimate == pytest.approx(direct.estimate, rel=1e-12)
    other = run_review(review, profile="metafor")
    assert other.primary_outcome.main.primary.profile == "metafor"
    with pytest.raises(ValueError, match="profile"):
        run_review(review, profile="stata")


def test_single_study_outcomes_are_shown_not_pooled(result):
    for oid in ("withdrawal_ae", "responders30"):
        for m in result.outcome(oid).measures:
            assert not m.pooled and m.primary is None and m.profiles == ()
            assert [e.study for e in m.effects] == ["FINAL 2024"]
            assert "not pooled" in m.note
    rr = result.outcome("responders30").main.effects[0]
    assert rr.derived and rr.yi == pytest.approx(math.log((22 / 49) / (14 / 50)))


def test_every_included_effect_traces_to_source_rows(result, review):
    rows = result.provenance_rows()
    assert rows
    record_ids = {s.study: s.extra["record_id"].split(";") for s in review.studies}
    for e in rows:
        assert e.source_rows and e.source_url and e.source_quote
        for r in e.source_rows:
            assert review.record[r - 1]["study_id"] in record_ids[e.study]
        assert e.source_file == "data.csv" and e.notes


def test_sensitivity_and_subgroups(result):
    pain = result.primary_outcome.main
    sens = {(s.id, s.setting): s for s in pain.sensitivity}
    ri = [s for s in pain.sensitivity if s.kind == "vary-ri"]
    assert [s.setting for s in ri] == ["ri = 0.2", "ri = 0.5", "ri = 0.8"]
    assert ri[1].estimate.estimate == pytest.approx(pain.primary.estimate, rel=1e-12)
    assert sens[("no-derived", "without Bested 2023")].studies == (
        "Younger 2013", "FINAL 2024", "INNOVA 2026")
    added = sens[("with-younger-2009", "with Younger 2009")]
    assert added.studies[0] == "Younger 2009" and added.estimate.k == 5
    common = sens[("common-effect", "common effect (inverse variance)")].estimate
    assert common.settings["model"] == "EE" and math.isnan(common.pi_low)
    columns = {s.column: s for s in pain.subgroups}
    assert columns["design"].groups == ("crossover", "parallel")
    assert columns["dose_mg"].groups == ("4.5 mg", "6 mg")
    assert 0 <= columns["design"].Q_between_pval <= 1


def test_signs_lower_pain_is_negative(result):
    pain = {e.study: e for e in result.primary_outcome.main.effects}
    assert pain["Younger 2013"].yi < 0 and pain["Bested 2023"].yi < 0
    assert pain["FINAL 2024"].yi < 0 and pain["INNOVA 2026"].yi > 0
    md = {e.study: e.yi for e in result.primary_outcome.measure("MD").effects}
    assert md == {"FINAL 2024": -0.34, "INNOVA 2026": 0.49}


def test_small_study_note_and_published_rows(result):
    pain = result.primary_outcome.main
    step = pain.diagnostic("small_study_informative")
    assert step is not None and step.result is False and "fewer than 10" in step.note
    published = [p for p in result.published if p.outcome_id == "pain"]
    assert {p.review for p in published} >= {"AnnMedSurg2025", "Vatvani2024", "Hegde2025"}
    assert all(p.year is not None for p in published)


def test_provenance_summary_and_json(result, review):
    prov = result.provenance
    assert prov.review_digest == review.digest and prov.data_date == "2026-11-23"
    assert any(f == "data.csv" for f, _ in prov.files)
    summary = result.summary()
    assert isinstance(summary, Summary)
    text = summary.as_text()
    assert "prediction interval" in text and "cochrane-2025" in text and "revman5" in text
    json.dumps(result.to_dict())
    assert np.isfinite(result.primary_outcome.main.primary.estimate)
