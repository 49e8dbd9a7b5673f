"""``livingmeta diff``: defaults, JSON contract, one-line errors with exit code 2."""

from __future__ import annotations

import json
import shutil

import click
import pytest
from click.testing import CliRunner

from livingmeta.cli.diff import diff
from livingmeta.models import rma
from livingmeta.review import embedded_review_path, load_review, run_review


@pytest.fixture(scope="module")
def cli() -> click.Group:
    group = click.Group()
    group.add_command(diff)
    return group


def _run(cli: click.Group, *args: str):
    return CliRunner().invoke(cli, ["diff", *args])


def test_default_compares_the_last_two_ldn_versions(cli):
    out = _run(cli)
    assert out.exit_code == 0, out.output
    assert "what changed from v1 (Before INNOVA, 2025-12-31) to v2" in out.output
    assert "New study: INNOVA 2026 (included)." in out.output
    assert "Pain intensity: SMD -0.24 (95% CI -0.70 to 0.23; k = 3) -> " in out.output
    explicit = _run(cli, str(embedded_review_path()), "--from", "v1", "--to", "v2")
    assert explicit.exit_code == 0 and explicit.output == out.output
    assert _run(cli, "--to", "v2").output == out.output  # --from: the version before


def test_json_is_one_object_with_the_contract(cli):
    out = _run(cli, "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert (d["from"]["id"], d["to"]["id"], d["level"]) == ("v1", "v2", 95)
    assert [s["study"] for s in d["studies"]] == ["INNOVA 2026"]
    assert d["prisma"]["total_studies"] == 4 and d["prisma"]["new_reports"] == 2
    pain = d["outcomes"][0]
    assert pain["outcome"] == "pain" and (pain["before"]["k"], pain["after"]["k"]) == (3, 4)
    assert pain["sentence"] in d["lines"]


def test_profile_option(cli):
    out = _run(cli, "--profile", "metafor", "--json")
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["profile"] == "metafor"
    effects = run_review(load_review(embedded_review_path())).primary_outcome.main.effects
    kept = [e for e in effects if e.status == "included"]
    direct = rma([e.yi for e in kept], [e.vi for e in kept], method="REML", test="z")
    assert d["outcomes"][0]["after"]["ci_low"] == pytest.approx(direct.ci_low, rel=1e-9)


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "v7"), "--from 'v7' is not a version of versions.toml (versions, oldest "
                       "first: v1, v2)"),
    (("--to", "final"), "--to 'final' is not a version of versions.toml"),
    (("--to", "v1"), "--to 'v1' is the first version"),
    (("--from", "v2", "--to", "v1"), "must name a version earlier than"),
    (("--profile", "nope"), "The 'profile' parameter must be one of"),
])
def test_bad_arguments_exit_2_with_one_line(cli, args, message):
    out = _run(cli, *args)
    assert out.exit_code == 2
    assert out.output.startswith("Error: ") and message in out.output
    assert out.output.strip().count("\n") == 0 and "Traceback" not in out.output


def test_folder_without_versions_file(cli, tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(embedded_review_path(), folder)
    (folder / "versions.toml").unlink()
    out = _run(cli, str(folder))
    assert out.exit_code == 2
    assert "versions.toml: file not found" in out.output and "Traceback" not in out.output
    (folder / "versions.toml").write_text('[[versions]]\nid = "only"\ndate = 2020-01-01\n')
    out = _run(cli, str(folder))
    assert out.exit_code == 2 and "--to 'only' is the first version" in out.output
