"""Writing the report folder: refusing foreign folders, replacing previous reports, and
never leaving a half-written report behind."""

from __future__ import annotations

import pytest

import livingmeta.report as report
from livingmeta.errors import ParameterError
from livingmeta.report import MARKER_FILE, write_report
from livingmeta.report.figures import build_figures


@pytest.fixture
def few_figures(monkeypatch):
    """Draw only two figures: these tests are about the folder, not the plots."""
    monkeypatch.setattr(report, "build_figures",
                        lambda result, appraisal=None, living=None: build_figures(result)[:2])


def _leftovers(parent, name):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def test_refuses_a_foreign_non_empty_folder(ldn_result, tmp_path):
    target = tmp_path / "thesis"
    target.mkdir()
    (target / "chapter1.tex").write_text("precious")
    with pytest.raises(ParameterError, match="thesis"):
        write_report(ldn_result, target)
    assert [p.name for p in target.iterdir()] == ["chapter1.tex"]
    assert (target / "chapter1.tex").read_text() == "precious"


def test_refuses_a_file(ldn_result, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("x")
    with pytest.raises(ParameterError, match=r"report\.html"):
        write_report(ldn_result, target)
    assert target.read_text() == "x"


def test_writes_into_an_empty_folder_and_replaces_a_previous_report(
        ldn_result, tmp_path, few_figures):
    target = tmp_path / "out"
    target.mkdir()
    index = write_report(ldn_result, target)
    assert index == target / "index.html" and (target / MARKER_FILE).is_file()
    (target / "stale.txt").write_text("from an older report")
    again = write_report(ldn_result, str(target))
    assert again == index and index.is_file()
    assert not (target / "stale.txt").exists()
    assert _leftovers(tmp_path, "out") == []


def test_a_failure_midway_leaves_the_previous_report_untouched(
        ldn_result, tmp_path, few_figures, monkeypatch):
    target = tmp_path / "out"
    write_report(ldn_result, target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    calls = []
    real = report._write_figure

    def failing(fig, figure_dir):
        calls.append(fig.id)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(fig, figure_dir)

    monkeypatch.setattr(report, "_write_figure", failing)
    with pytest.raises(OSError, match="disk full"):
        write_report(ldn_result, target)
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before
    assert _leftovers(tmp_path, "out") == []


def test_a_failure_on_a_new_folder_leaves_nothing(ldn_result, tmp_path, monkeypatch):
    def failing(result, folder, appraisal=None, living=None):
        (folder / "index.html").write_text("half")
        raise RuntimeError("boom")

    monkeypatch.setattr(report, "_build", failing)
    with pytest.raises(RuntimeError, match="boom"):
        write_report(ldn_result, tmp_path / "new")
    assert list(tmp_path.iterdir()) == []
