"""``livingmeta run`` and ``livingmeta init``: the review commands."""

from __future__ import annotations

import csv
import json
import shutil

from click.testing import CliRunner

from livingmeta.cli.main import cli
from livingmeta.review import embedded_review_path


def test_run_without_report_prints_the_answer():
    result = CliRunner().invoke(cli, ["run", "--no-report"])
    assert result.exit_code == 0, result.output
    assert "Low-dose naltrexone" in result.output
    assert "prediction interval" in result.output
    assert "revman5" in result.output and "cochrane-2025" in result.output


def test_run_json_is_the_result_dictionary():
    result = CliRunner().invoke(cli, ["run", "--no-report", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["profile"] == "cochrane-2025"
    assert {o["outcome"]["id"] if isinstance(o["outcome"], dict) else o["outcome"]
            for o in data["outcomes"]} >= {"pain"}


def test_run_with_an_unknown_profile_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["run", "--no-report", "--profile", "cochrane"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "cochrane" in result.output


def test_run_on_a_broken_folder_names_file_row_and_column(tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(embedded_review_path(), folder)
    data = folder / "data.csv"
    with data.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0])
    # Two bad cells in two rows: both must be reported, each with file, row and column.
    bad = [i for i, r in enumerate(rows) if r.get("n1i") not in ("", "NA", None)][:1]
    rows[bad[0]]["n1i"] = "-3"
    rows[2]["pval"] = "1.7"
    with data.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    result = CliRunner().invoke(cli, ["run", str(folder), "--no-report"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"data.csv row {bad[0] + 1}" in result.output and "n1i" in result.output
    assert "data.csv row 3" in result.output and "pval" in result.output


def test_init_writes_an_example_that_runs(tmp_path):
    target = tmp_path / "my-review"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "review.toml").is_file()
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code == 2
    ran = CliRunner().invoke(cli, ["run", str(target), "--no-report"])
    assert ran.exit_code == 0, ran.output


def test_run_on_a_broken_rob2_file_names_file_row_and_column(tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(embedded_review_path(), folder)
    path = folder / "rob2.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0])
    first_answer = next(i for i, r in enumerate(rows) if r["question"])
    rows[first_answer]["answer"] = "MAYBE"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    result = CliRunner().invoke(cli, ["run", str(folder), "--no-report"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"rob2.csv row {first_answer + 1}" in result.output
    assert "answer" in result.output and "MAYBE" in result.output
