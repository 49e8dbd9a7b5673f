"""The living-evidence analyses of a review run (review/living.py) and their report section.

Each part is checked against the engine function called directly on the review's data,
so that the review layer only chooses inputs: the included pain effects in year order,
participants n1i + n2i (ni for paired designs), the grade.toml MID (0.2, lower is better).
"""

from __future__ import annotations

import json
import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from livingmeta.cli.main import cli
from livingmeta.models import bayes_meta, rma
from livingmeta.report import render_report_html
from livingmeta.report.living import LIVING_HEADING
from livingmeta.review import (
    ReviewValidationError,
    embedded_review_path,
    example_review_path,
    living_evidence,
    load_review,
    run_review,
)
from livingmeta.sequential import trial_sequential_analysis

MID = 0.2  # grade.toml [outcomes.pain] mid


@pytest.fixture(scope="module")
def review():
    return load_review(embedded_review_path())


@pytest.fixture(scope="module")
def result(review):
    return run_review(review)


@pytest.fixture(scope="module")
def living(review, result):
    return living_evidence(review, result)


def pain_inputs(result, exclude=()):
    pain = result.outcome("pain").main
    effects = sorted((e for e in pain.effects
                      if e.study in pain.analysed and e.study not in exclude),
                     key=lambda e: e.year)
    n = [round(e.inputs["n1i"] + e.inputs["n2i"]) if "n1i" in e.inputs
         else round(e.inputs["ni"]) for e in effects]
    return ([e.yi for e in effects], [e.vi for e in effects], n, [e.study for e in effects])


def test_the_ldn_review_declares_its_living_plan(review):
    plan = review.analysis.living
    assert plan.tsa.outcome == "pain" and plan.tsa.delta == MID
    assert plan.tsa.heterogeneity == "D2" and plan.tsa.spending == "obf"
    assert plan.bayes.tau_priors == ("halfnormal:0.5", "rhodes:pain")
    assert plan.whatif.before == "v1" and plan.whatif.n_per_arm == 49


def test_tsa_is_the_engine_on_the_included_trials_in_year_order(living, result):
    y, v, n, study = pain_inputs(result)
    assert study == ["Younger 2013", "Bested 2023", "FINAL 2024", "INNOVA 2026"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = trial_sequential_analysis(y, v, n, measure="SMD", delta=MID, study=study)
    assert living.tsa.to_dict() == direct.to_dict()
    assert living.tsa.verdict == "not yet conclusive"


def test_bayes_runs_once_per_prior_with_the_mid_as_threshold(living, result):
    y, v, _, study = pain_inputs(result)
    assert len(living.bayes) == 2
    for b, tau in zip(living.bayes, ("halfnormal:0.5", "rhodes:pain"), strict=True):
        direct = bayes_meta(y, v, mu_prior="normal:0,1", tau_prior=tau, threshold=-MID,
                            study=study, measure="SMD")
        assert b.threshold == -MID
        assert b.p_beyond_threshold == pytest.approx(direct.p_beyond_threshold, rel=1e-12)
        assert b.mu.median == pytest.approx(direct.mu.median, rel=1e-12)


def test_whatif_starts_from_the_version_before_innova(living, result):
    c = living.whatif
    assert (c.before, c.after, c.added) == ("v1", "v2", ("INNOVA 2026",))
    y, v, _, _ = pain_inputs(result, exclude=("INNOVA 2026",))
    before = rma(y, v, method="REML", test="knha")  # the primary profile, cochrane-2025
    r = c.result
    assert r.k == 3 and r.trial.n_per_arm == 49 and r.draws == 10_000 and r.seed == 2026
    assert r.current_estimate == pytest.approx(float(before.estimate), rel=1e-9)
    assert r.current_ci_high == pytest.approx(float(before.ci_high), rel=1e-9)
    after = result.outcome("pain").main.primary
    assert c.actual_estimate == after.estimate
    assert c.actual_percentile == float(np.mean(r.estimate <= after.estimate))
    assert 0.0 < c.actual_percentile < 1.0
    expected = ("no significant difference" if after.ci_low < 0 < after.ci_high
                else "benefit" if after.ci_high < 0 else "harm")
    assert c.actual_readings["significance"] == expected
    assert c.actual_readings["tsa"] == living.tsa.verdict
    assert "posterior predictive" in r.effect_source
    assert [cr.name for cr in r.criteria] == ["significance", "imprecision", "tsa"]


def test_the_diff_compares_the_last_two_versions(living):
    assert living.diff.before.version.id == "v1" and living.diff.after.version.id == "v2"
    assert living.diff.after.tsa_status == living.tsa.verdict
    assert living.diff.after.p_benefit_mcid == pytest.approx(living.bayes[0].p_beyond_threshold)


def test_to_dict_is_json_safe(living):
    d = json.loads(json.dumps(living.to_dict(), allow_nan=False))
    assert d["tsa"]["verdict"] == living.tsa.verdict
    assert len(d["bayes"]) == 2 and d["whatif"]["before"] == "v1"
    assert d["participants"] == [28, 58, 99, 98]


def test_a_review_without_a_living_plan_or_versions_gets_none():
    review = load_review(example_review_path())
    assert living_evidence(review, run_review(review)) is None


def test_living_plan_problems_are_reported_together(tmp_path):
    folder = tmp_path / "ldn"
    shutil.copytree(embedded_review_path(), folder)
    toml = folder / "review.toml"
    text = toml.read_text()
    text = text.replace('spending = "obf"', 'spending = "linear"')
    text = text.replace('tau_priors = ["halfnormal:0.5", "rhodes:pain"]',
                        'tau_priors = ["halfnormal:0.5", "gamma:2"]\ncolour = "red"')
    text = text.replace("n_per_arm = 49 ", "n_per_arm = 1 ")
    toml.write_text(text)
    with pytest.raises(ReviewValidationError) as err:
        load_review(folder)
    message = str(err.value)
    assert "[analysis.tsa]" in message and "spending" in message and "'linear'" in message
    assert "[analysis.bayes]" in message and "gamma:2" in message
    assert "colour" in message and "is not a known key" in message
    assert "[analysis.whatif]" in message and "n_per_arm" in message


def test_the_report_has_the_living_section(review, result, living):
    html = render_report_html(result, living=living)
    assert LIVING_HEADING in html
    assert 'id="pain-tsa-title"' in html and 'id="pain-bayes-2-title"' in html
    assert f"{living.tsa.ris.ris:,.0f} participants" in html
    assert "What could the next trial change?" in html
    assert "A trial the size of INNOVA (98 participants)" in html
    assert "What changed since the previous version (v1: Before INNOVA" in html
    assert LIVING_HEADING not in render_report_html(result)
    assert ("Living evidence on pain intensity: trial sequential analysis: not yet conclusive"
            in html)


def test_run_json_carries_the_living_evidence(tmp_path):
    out = CliRunner().invoke(cli, ["run", "--json", "--out", str(tmp_path / "report")])
    assert out.exit_code == 0, out.output
    text = out.output[out.output.index("{"):out.output.rindex("}") + 1]
    d = json.loads(text)
    assert d["living"]["tsa"]["verdict"] == "not yet conclusive"
    assert math.isfinite(d["living"]["bayes"][0]["p_beyond_threshold"])
    assert (Path(tmp_path / "report" / "living.json")).is_file()
    assert (tmp_path / "report" / "figures" / "pain-tsa.svg").is_file()
