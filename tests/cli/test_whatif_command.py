"""`livingmeta whatif`: the JSON contract, reproducibility and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from livingmeta.cli.main import cli
from livingmeta.models import bayes_meta
from livingmeta.sequential.whatif import PendingTrial, what_if

# LDN pain before INNOVA: the three trials' SMDs (validation/metafor/data/ldn_pain_SMD.csv)
# with the participants analysed (review data.csv).
TABLE = """study,yi,vi,ni
Younger 2013,-0.4857179896272494,0.039927177954420294,28
Bested 2023,-0.1113442768336467,0.01734825472399662,58
FINAL 2024,-0.22064920906755042,0.040654052525215895,99
"""


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "ldn.csv"
    path.write_text(TABLE)
    return path


def run(*args):
    return CliRunner().invoke(cli, ["whatif", *map(str, args)])


def test_json_contract_and_seeded_reproducibility(table):
    args = (table, "--measure", "SMD", "--n-per-arm", 49, "--mid", 0.2, "--ois", 786,
            "--tsa-delta", 0.2, "--draws", 2000, "--seed", 7, "--json")
    first, second = run(*args), run(*args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    d = json.loads(first.output)
    assert d["level"] == 95 and d["draws"] == 2000 and d["seed"] == 7 and d["k"] == 3
    assert [c["name"] for c in d["criteria"]] == ["significance", "imprecision", "tsa"]
    for c in d["criteria"]:
        assert sum(c["probabilities"].values()) == pytest.approx(1.0)
        assert c["p_change"] == pytest.approx(1 - c["probabilities"][c["current"]])
    assert set(d["updated"]) >= {"estimate", "ci_low", "ci_high", "theta"}


def test_the_command_runs_the_library_with_the_bayesian_predictive(table):
    d = json.loads(run(table, "--measure", "SMD", "--n-per-arm", 49, "--draws", 500,
                       "--seed", 3, "--mu-prior", "normal:0,1", "--json").output)
    rows = np.genfromtxt(table, delimiter=",", names=True, dtype=None, encoding="utf-8")
    b = bayes_meta(rows["yi"], rows["vi"], mu_prior="normal:0,1", tau_prior="halfnormal:0.5")
    r = what_if(rows["yi"], rows["vi"], PendingTrial(49), measure="SMD", predictive=b,
                draws=500, seed=3)
    assert d["updated"]["estimate"] == pytest.approx(r.to_dict()["updated"]["estimate"])
    assert "posterior predictive" in d["effect_source"]


def test_assumed_effect_and_text_output(table):
    out = run(table, "--measure", "SMD", "--n-per-arm", 200, "--effect", -0.5, "--test", "z",
              "--draws", 300, "--seed", 1, "--label", "BIG")
    assert out.exit_code == 0, out.output
    assert "BIG: 200 per arm" in out.output and "assumed true effect -0.5" in out.output


@pytest.mark.parametrize(("args", "message"), [
    (("--n-per-arm", 49), "name the measure with --measure"),
    (("--measure", "MD", "--n-per-arm", 49), "needs the outcome SD"),
    (("--measure", "SMD", "--n-per-arm", 49, "--mu-prior", "normal:0"),
     "Cannot read the prior 'normal:0'"),
])
def test_bad_input_is_one_line_and_exit_2(table, args, message):
    out = run(table, *args, "--draws", 50)
    assert out.exit_code == 2
    assert message in out.output
    assert "Traceback" not in out.output and out.output.count("Error:") == 1
