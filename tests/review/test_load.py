"""Loading review folders: the embedded review, broken copies, bad TOML, init."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from livingmeta.errors import DataValidationError, ParameterError
from livingmeta.review import (
    ReviewValidationError,
    embedded_review_path,
    load_review,
    write_example_review,
)


@pytest.fixture
def ldn_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ldn"
    shutil.copytree(embedded_review_path(), target)
    return target


def _edit_csv(path: Path, edits: dict[tuple[int, str], str]) -> None:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0])
    for (row, column), value in edits.items():
        rows[row - 1][column] = value
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)


def test_embedded_review_loads():
    review = load_review(embedded_review_path())
    assert review.primary_outcome.id == "pain"
    assert {s.study: s.status for s in review.studies} == {
        "Younger 2009": "sensitivity-only", "Younger 2013": "included",
        "Bested 2023": "included", "FINAL 2024": "included",
        "de Paula 2023": "awaiting-data", "INNOVA 2026": "included"}
    assert len(review.record) == 70 and len(review.published) == 35
    assert len(review.digest) == 64
    assert review.analysis.ri == 0.5 and review.analysis.ri_values == (0.2, 0.5, 0.8)


def test_embedded_sources_are_copies_of_the_shared_record():
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "ldn-fibromyalgia"
    if not shared.is_dir():
        pytest.skip("shared data not present")
    for name in ("trial_reports.csv", "published_syntheses.csv"):
        assert (embedded_review_path() / "sources" / name).read_bytes() == \
            (shared / name).read_bytes()


def test_broken_cells_are_all_reported_with_file_row_and_column(ldn_copy: Path):
    _edit_csv(ldn_copy / "data.csv", {
        (4, "n1i"): "-3",                # FINAL 2024 pain
        (2, "pval"): "1.6",              # Younger 2013
        (7, "outcome"): "painn",         # unknown outcome id
        (8, "study"): "Nobody 2020",     # not in studies.csv
        (9, "derived"): "maybe",
    })
    _edit_csv(ldn_copy / "studies.csv", {(3, "design"): "cross-over"})
    with pytest.raises(ReviewValidationError) as info:
        load_review(ldn_copy)
    text = str(info.value)
    assert isinstance(info.value, DataValidationError)
    for expected in (
        "data.csv row 4 (study 'FINAL 2024'): n1i must be a whole number >= 1, got '-3'",
        "data.csv row 2 (study 'Younger 2013'): pval must be in (0, 1], got 1.6",
        "data.csv row 7 (study 'FINAL 2024'): outcome must be an outcome id of review.toml",
        "data.csv row 8 (study 'Nobody 2020'): study must be a study listed in studies.csv",
        "data.csv row 9 (study 'FINAL 2024'): derived must be true or false, got 'maybe'",
        "studies.csv row 3 (study 'Bested 2023'): design must be one of",
    ):
        assert expected in text, text
    assert len(info.value.problems) >= 6


def test_missing_columns_and_unknown_names(ldn_copy: Path):
    text = (ldn_copy / "data.csv").read_text()
    (ldn_copy / "data.csv").write_text(text.replace("source_rows", "source_row", 1))
    toml = (ldn_copy / "review.toml").read_text()
    toml = toml.replace('primary_profile = "cochrane-2025"', 'primary_profile = "cochrane"')
    (ldn_copy / "review.toml").write_text(toml)
    with pytest.raises(ReviewValidationError) as info:
        load_review(ldn_copy)
    text = str(info.value)
    assert "data.csv header: source_rows is a required column" in text
    assert "data.csv header: source_row is not a known column" in text
    assert "review.toml [analysis]: primary_profile must be one of" in text
    assert "got 'cochrane'" in text


def test_bad_toml_names_its_line(ldn_copy: Path):
    lines = (ldn_copy / "review.toml").read_text().splitlines()
    lines[8] = "title = = 'x'"
    (ldn_copy / "review.toml").write_text("\n".join(lines))
    with pytest.raises(ReviewValidationError) as info:
        load_review(ldn_copy)
    assert "review.toml line 9" in str(info.value)
    assert "invalid TOML" in str(info.value)


def test_source_rows_must_point_at_the_study(ldn_copy: Path):
    _edit_csv(ldn_copy / "data.csv", {(4, "source_rows"): "31;14", (5, "source_rows"): "99"})
    with pytest.raises(ReviewValidationError) as info:
        load_review(ldn_copy)
    text = str(info.value)
    assert "data.csv row 4 (study 'FINAL 2024'): source_rows must point at rows about this " \
           "study (sources/trial_reports.csv row 14 is about 'Younger2013'" in text
    assert "source_rows must be rows of the record (1 to 70)" in text


def test_not_a_folder(tmp_path: Path):
    with pytest.raises(ReviewValidationError, match="is not a folder"):
        load_review(tmp_path / "nope")


def test_init_writes_example_and_refuses_to_overwrite(tmp_path: Path):
    target = write_example_review(tmp_path / "new")
    review = load_review(target)
    assert review.primary_outcome.measure == "RR" and len(review.studies) == 13
    assert "#" in (target / "review.toml").read_text()  # commented
    with pytest.raises(ParameterError, match="not empty"):
        write_example_review(target)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match="is a file"):
        write_example_review(tmp_path / "file")
