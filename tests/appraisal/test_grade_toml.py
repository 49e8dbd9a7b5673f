"""grade.toml: the LDN review's file loads; every problem is reported at once."""

from __future__ import annotations

import shutil

import pytest

from livingmeta.appraisal import load_grade
from livingmeta.review import embedded_review_path, load_review
from livingmeta.review.problems import ReviewValidationError


@pytest.fixture(scope="module")
def review():
    return load_review(embedded_review_path())


def test_ldn_grade_toml_loads(review):
    inputs = load_grade(embedded_review_path(), review)
    assert set(inputs.outcomes) == {o.id for o in review.outcomes}
    pain = inputs.outcomes["pain"]
    assert pain.settings.mid == 0.2 and pain.settings.direction == "lower"
    assert pain.sof.representative_sd == 1.6 and "DERIVED" in pain.sof.sd_source
    assert pain.decisions["imprecision"].judgment == "serious"
    assert pain.decisions["inconsistency"].judgment is None  # accepted
    assert pain.settings.awaiting == ("de Paula 2023",)


def test_missing_file_gives_empty_inputs(review, tmp_path):
    assert load_grade(tmp_path, review).outcomes == {}


def test_every_problem_at_once(review, tmp_path):
    shutil.copy(embedded_review_path() / "grade.toml", tmp_path / "x")
    (tmp_path / "grade.toml").write_text("""
[defaults]
ois_power = 1.5
[funding]
"Nobody 1999" = "industry"
"FINAL 2024" = "pharma"
[outcomes.pain]
mid = -0.2
colour = "red"
[outcomes.pain.decisions]
imprecision = { judgment = "awful", reason = "" }
[outcomes.nothing]
mid = 1
""", encoding="utf-8")
    with pytest.raises(ReviewValidationError) as info:
        load_grade(tmp_path, review)
    text = str(info.value)
    for expected in ("grade.toml [defaults]: ois_power must be > 0 and < 1, got 1.5",
                     "grade.toml [funding]: Nobody 1999 is not a study of studies.csv",
                     "FINAL 2024 must be one of",
                     "grade.toml [outcomes.pain]: mid must be > 0, got -0.2",
                     "colour is not a known key",
                     "imprecision.judgment must be one of",
                     "imprecision.reason must be a non-empty string",
                     "nothing is not an outcome id of review.toml"):
        assert expected in text
    assert "8 problems" in text


def test_invalid_toml_is_located(review, tmp_path):
    (tmp_path / "grade.toml").write_text("[outcomes\n", encoding="utf-8")
    with pytest.raises(ReviewValidationError, match=r"grade\.toml: invalid TOML"):
        load_grade(tmp_path, review)
