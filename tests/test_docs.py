"""The README documents every CLI command, measure, method and JSON key (datasette's
test_docs): adding one without documenting it fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from livingmeta.cli.main import cli
from livingmeta.data import COLUMN_ALIASES, NUMERIC_COLUMNS
from livingmeta.pooling import MEASURES, METHODS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command):
    assert f"livingmeta {command}" in README


@pytest.mark.parametrize("code", [*MEASURES, *METHODS])
def test_every_measure_and_method_is_documented(code):
    assert re.search(rf"\b{code}\b", README)


@pytest.mark.parametrize("column", sorted({*NUMERIC_COLUMNS, *COLUMN_ALIASES}))
def test_every_column_and_alias_is_documented(column):
    assert f"`{column}`" in README or f"{column}`" in README


def test_readme_opens_with_the_two_commands():
    commands = [line.strip() for line in README.splitlines() if line.startswith("    python3")]
    assert len(commands) >= 2
    assert commands[0].endswith("livingmeta run")
    assert "pytest" in commands[1]
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert commands[1] in ci
