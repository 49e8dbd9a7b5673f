"""``livingmeta simulate``: output folder, JSON contract, atomic writes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd
from click.testing import CliRunner

from livingmeta.cli.simulate import MARKER_FILE, simulate

SCENARIOS = """
[simulation]
title = "tiny"
seed = 4
replications = 40
methods = ["EE", "DL"]
tests = ["z", "knha"]

[[scenarios]]
name = "gen"
measure = "GEN"
k = [3, 4]
tau2 = [0, 0.1]
vi = { distribution = "uniform", low = 0.02, high = 0.1 }
"""
CONTRACT = {"title", "seed", "replications", "level", "methods", "tests", "scenarios", "out",
            "files", "rows", "notes", "warnings"}
ROW_KEYS = {"scenario", "name", "measure", "k", "tau2", "effect", "design", "method", "test",
            "metric", "estimate", "mcse", "n"}


def invoke(tmp_path: Path, *args: str, text: str = SCENARIOS):
    group = click.Group()
    group.add_command(simulate)
    path = tmp_path / "scenarios.toml"
    path.write_text(text)
    result = CliRunner().invoke(group, ["simulate", str(path), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_json_contract_and_files(tmp_path):
    out = tmp_path / "sim"
    result = invoke(tmp_path, "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert set(d) == CONTRACT
    assert (d["seed"], d["replications"], d["level"], d["scenarios"]) == (4, 40, 95, 4)
    assert d["methods"] == ["EE", "DL"] and d["tests"] == ["z", "knha"]
    assert all(set(row) == ROW_KEYS for row in d["rows"])
    # EE: 8 metrics; DL: 8 + pi_coverage, tau2_bias, tau2_rmse, tau2_ci_coverage.
    assert len(d["rows"]) == 4 * 2 * (8 + 12)
    assert sorted(p.name for p in out.iterdir()) == sorted([*d["files"], MARKER_FILE])
    csv = pd.read_csv(out / "results.csv")
    parquet = pd.read_parquet(out / "results.parquet")
    assert list(csv.columns) == list(parquet.columns) and len(csv) == len(d["rows"])
    assert (out / "coverage.svg").read_text().lstrip().startswith("<?xml")
    assert (out / "coverage.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sim.")]


def test_overrides_text_output_and_replacing_the_folder(tmp_path):
    out = tmp_path / "sim"
    first = invoke(tmp_path, "--out", str(out), "--replications", "30", "--seed", "9")
    assert first.exit_code == 0, first.output
    assert "Simulation study: tiny" in first.output and "CI cov." in first.output
    assert f"to {out}" in first.output.replace("\n", "")
    csv1 = pd.read_csv(out / "results.csv")
    assert set(csv1["n"]) <= {30}
    second = invoke(tmp_path, "--out", str(out), "--replications", "30", "--seed", "9")
    assert second.exit_code == 0
    pd.testing.assert_frame_equal(csv1, pd.read_csv(out / "results.csv"))
    third = invoke(tmp_path, "--out", str(out), "--replications", "30", "--seed", "10")
    assert not csv1["estimate"].equals(pd.read_csv(out / "results.csv")["estimate"])
    assert third.exit_code == 0


def test_a_folder_that_is_not_a_simulation_output_is_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    result = invoke(tmp_path, "--out", str(out), "--replications", "10")
    assert result.exit_code == 2 and "refusing to replace it" in result.output
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_bad_file_is_one_message_and_leaves_the_folder(tmp_path):
    out = tmp_path / "sim"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    bad = SCENARIOS.replace('measure = "GEN"', 'measure = "HR"').replace("seed = 4", "seed = -4")
    result = invoke(tmp_path, "--out", str(out), text=bad)
    assert result.exit_code == 2
    assert "2 problems" in result.output
    assert "scenarios.toml [simulation]: seed must be a non-negative integer, got -4" \
        in result.output
    assert "measure must be one of" in result.output and "got 'HR'" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_missing_file_and_bad_options(tmp_path):
    missing = CliRunner().invoke(simulate, [str(tmp_path / "nope.toml"), "--out",
                                            str(tmp_path / "o")])
    assert missing.exit_code == 2 and "Error:" in missing.output
    assert "nope.toml" in missing.output
    reps = invoke(tmp_path, "--out", str(tmp_path / "o"), "--replications", "1")
    assert reps.exit_code == 2 and "replications" in reps.output.lower()
