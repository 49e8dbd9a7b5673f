"""The ``bayes`` command (src/livingmeta/cli/bayes.py): JSON contract, text, bad input.

Numbers are checked in tests/reference/test_bayes_*; these tests pin the command's shape.
"""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from livingmeta.cli.bayes import bayes

CSV = ("study,yi,vi\nYounger 2013,-0.4857,0.0399\nBested 2023,-0.1113,0.0173\n"
       "FINAL 2024,-0.2206,0.0407\nINNOVA 2026,0.19,0.0410\n")
SUMMARY_KEYS = {"mean", "median", "sd", "ci_low", "ci_high", "hpd_low", "hpd_high"}


def invoke(tmp_path, *args, csv=CSV):
    path = tmp_path / "data.csv"
    path.write_text(csv)
    group = click.Group()
    group.add_command(bayes)
    result = CliRunner().invoke(group, ["bayes", str(path), *args])
    assert "Traceback" not in result.output
    return result


def test_json_contract(tmp_path):
    result = invoke(tmp_path, "--mu-prior", "normal:0,1", "--tau-prior", "halfnormal:0.5",
                    "--threshold", "-0.2", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    for name in ("mu", "tau", "theta_new"):
        assert SUMMARY_KEYS <= set(out[name])
    assert {"p_beyond_threshold", "p_benefit", "bayes_factor_01", "studies", "k", "measure",
            "level", "mu_prior", "tau_prior", "warnings"} <= set(out)
    assert out["k"] == 4 and out["level"] == 95 and out["measure"] == "GEN"
    assert out["studies"][0]["study"] == "Younger 2013"
    assert {"study", "mean", "ci_low", "ci_high"} <= set(out["studies"][0])
    assert 0 < out["p_beyond_threshold"] < out["p_benefit"] < 1
    assert out["bayes_factor_01"] > 0


def test_flat_prior_empirical_prior_level_and_direction(tmp_path):
    out = json.loads(invoke(tmp_path, "--mu-prior", "flat", "--tau-prior", "rhodes:pain",
                            "--level", "90", "--direction", "higher", "--json").output)
    assert out["bayes_factor_01"] is None and out["level"] == 90
    assert out["p_beyond_threshold"] is None and out["p_benefit"] < 0.5
    assert "Rhodes et al. 2015" in out["tau_prior"]["description"]
    assert out["mu"]["ci_high"] - out["mu"]["ci_low"] < 0.6


def test_text_output(tmp_path):
    result = invoke(tmp_path, "--mu-prior", "normal:0,1", "--tau-prior", "turner:pain",
                    "--threshold", "-0.2")
    assert result.exit_code == 0
    assert "Bayesian random-effects meta-analysis" in result.output
    assert "P(mu < -0.2)" in result.output and "Shrinkage estimates" in result.output


def test_studies_without_effect_are_dropped_with_a_warning(tmp_path):
    csv = CSV + "Broken 2020,,0.05\n"
    out = json.loads(invoke(tmp_path, "--mu-prior", "flat", "--tau-prior", "halfcauchy:1",
                            "--json", csv=csv).output)
    assert out["k"] == 4 and out["dropped"] == ["Broken 2020"]
    assert any("Broken 2020" in w for w in out["warnings"])


@pytest.mark.parametrize(("args", "fragment"), [
    (["--mu-prior", "normal:0", "--tau-prior", "halfnormal:0.5"], "normal:MEAN,SD"),
    (["--mu-prior", "flat", "--tau-prior", "rhodes:headache"], "general-physical-health"),
    (["--mu-prior", "flat", "--tau-prior", "gamma:1,2"], "halfnormal:SCALE"),
])
def test_bad_priors_exit_2_with_one_line(tmp_path, args, fragment):
    result = invoke(tmp_path, *args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and fragment in lines[0]


def test_bad_data_exit_2(tmp_path):
    result = invoke(tmp_path, "--mu-prior", "flat", "--tau-prior", "halfnormal:1",
                    csv="study,yi,vi\nA,0.1,-0.2\n")
    assert result.exit_code == 2 and "vi" in result.output
