"""load_rob2: the LDN review's rob2.csv and robins.csv, and every problem of a bad file."""

from __future__ import annotations

import shutil

import pytest

from livingmeta.appraisal import RobAssessment, RobinsAssessment, load_rob2, load_robins
from livingmeta.review import ReviewValidationError, embedded_review_path, load_review


@pytest.fixture(scope="module")
def review():
    return load_review(embedded_review_path())


@pytest.fixture(scope="module")
def rob(review):
    return load_rob2(review.path, review.studies, outcomes=[o.id for o in review.outcomes],
                     record=review.record)


def test_ldn_judgments_per_trial(rob):
    pain = {a.study: a for a in rob.for_outcome("pain")}
    assert set(pain) == {"Younger 2013", "Bested 2023", "FINAL 2024", "INNOVA 2026"}
    assert {s: a.design for s, a in pain.items()} == {
        "Younger 2013": "crossover", "Bested 2023": "crossover", "FINAL 2024": "parallel",
        "INNOVA 2026": "parallel"}
    assert {s: a.judgment for s, a in pain.items()} == {
        "Younger 2013": "Some concerns", "Bested 2023": "High",
        "FINAL 2024": "Some concerns", "INNOVA 2026": "High"}
    assert [d.domain for d in pain["Bested 2023"].domains] == ["D1", "DS", "D2", "D3", "D4",
                                                               "D5"]
    d2 = pain["Bested 2023"].domain("D2")
    assert (d2.algorithm, d2.judgment) == ("High", "Some concerns")
    assert "domain 3" in d2.override.reason
    assert rob.judgment("FINAL 2024", "ae_any") == "Some concerns"
    assert rob.judgment("de Paula 2023", "pain") is None


def test_every_answer_cites_rows_of_its_own_study(rob, review):
    ids = {s.study: set(s.extra["record_id"].split(";")) for s in review.studies}
    for a in rob.rob2:
        for d in a.domains:
            for ans in d.answers:
                if ans.answer == "NA":
                    continue
                assert ans.support and ans.source_rows, (a.study, ans.question)
                for r in ans.source_rows:
                    assert review.record[r - 1]["study_id"] in ids[a.study]


def test_younger_2009_is_non_randomized_with_robins(rob):
    found = rob.get("Younger 2009", "pain")
    assert isinstance(found, RobinsAssessment)
    assert found.judgment == found.algorithm == "Critical"
    assert found.domain("D1").judgment == "Critical"
    assert isinstance(rob.get("FINAL 2024", "pain"), RobAssessment)


def test_weight_shares_and_frame(rob):
    shares = rob.weight_shares("pain", {"FINAL 2024": 30, "INNOVA 2026": 30,
                                        "Younger 2013": 20, "Bested 2023": 20})
    assert shares["High"] == pytest.approx(0.5)
    assert shares["Some concerns"] == pytest.approx(0.5)
    ds = rob.weight_shares("pain", {"FINAL 2024": 1, "Younger 2013": 1}, domain="DS")
    assert ds["Not applicable"] == pytest.approx(0.5)
    frame = rob.to_frame()
    assert set(frame["tool"]) == {"RoB 2", "ROBINS-I"}
    assert rob.to_dict()["robins"][0]["study"] == "Younger 2009"


def _folder(tmp_path, rob2_text, robins_text=None):
    folder = tmp_path / "review"
    shutil.copytree(embedded_review_path(), folder)
    (folder / "rob2.csv").write_text(rob2_text, encoding="utf-8")
    if robins_text is not None:
        (folder / "robins.csv").write_text(robins_text, encoding="utf-8")
    return folder


HEAD = "study,outcome,design,domain,question,answer,support,source_rows,judgment,reason\n"


def test_every_problem_is_reported_at_once_with_file_row_and_column(tmp_path, review):
    bad = HEAD + "".join([
        "FINAL 2024,pain,parallel,D1,1.1,YES,random,31,,\n",          # 1 answer
        "FINAL 2024,pain,parallel,D1,1.9,Y,random,31,,\n",            # 2 question id
        "FINAL 2024,pain,crossover,D1,1.2,Y,x,31,,\n",                # 3 design
        "Nobody 2020,pain,parallel,D1,1.1,Y,x,1,,\n",                 # 4 study
        "FINAL 2024,pain,parallel,D2,2.1,N,,31,,\n",                  # 5 support
        "FINAL 2024,pain,parallel,D2,2.2,N,blind,8,,\n",              # 6 other study's row
        "FINAL 2024,pain,parallel,D2,2.3,N,x,31,,\n",                 # 7 not applicable
        "FINAL 2024,pain,parallel,overall,,,,,Worse,\n",              # 8 override
        "Younger 2009,pain,parallel,D1,1.1,Y,x,1,,\n",                # 9 non-randomized
        "FINAL 2024,pain,parallel,D3,3.1,Y,x,31,,\n",
        "FINAL 2024,pain,parallel,D3,3.1,Y,x,31,,\n",                 # 11 duplicate
    ])
    folder = _folder(tmp_path, bad)
    with pytest.raises(ReviewValidationError) as info:
        load_rob2(folder, review.studies, record=review.record)
    text = str(info.value)
    for expected in [
        "rob2.csv row 1 (study 'FINAL 2024'): answer must be one of",
        "rob2.csv row 2 (study 'FINAL 2024'): question must be a question of parallel",
        "rob2.csv row 3 (study 'FINAL 2024'): design must be 'parallel'",
        "rob2.csv row 4 (study 'Nobody 2020'): study must name a study",
        "rob2.csv row 5 (study 'FINAL 2024'): support must quote",
        "rob2.csv row 6 (study 'FINAL 2024'): source_rows must point at rows about this study",
        "rob2.csv row 7 (study 'FINAL 2024'): answer must be NA for question 2.3",
        "rob2.csv row 8 (study 'FINAL 2024'): judgment must be one of",
        "rob2.csv row 8 (study 'FINAL 2024'): reason must state why",
        "rob2.csv row 9 (study 'Younger 2009'): study must be assessed with ROBINS-I",
        "rob2.csv row 11 (study 'FINAL 2024'): question must appear once",
    ]:
        assert expected in text, text


def test_missing_questions_are_named(tmp_path, review):
    rows = HEAD + "FINAL 2024,pain,parallel,D1,1.1,Y,x,31,,\n"
    with pytest.raises(ReviewValidationError) as info:
        load_rob2(_folder(tmp_path, rows), review.studies, record=review.record)
    text = str(info.value)
    assert "rob2.csv (study 'FINAL 2024'): question must be answered for outcome 'pain' " \
           "(always answered), got '1.2'" in text
    assert "'5.3'" in text


def test_robins_problems(tmp_path, review):
    robins = ("study,outcome,domain,judgment,support,source_rows\n"
              "Younger 2009,pain,D1,Serious,x,1\n"
              "Younger 2009,pain,D9,Low,x,1\n"
              "FINAL 2024,pain,D1,Low,x,31\n"
              "Younger 2009,pain,overall,Moderate,x,1\n")
    folder = _folder(tmp_path, HEAD, robins)
    with pytest.raises(ReviewValidationError) as info:
        load_robins(folder, review.studies, record=review.record)
    text = str(info.value)
    assert "robins.csv row 2 (study 'Younger 2009'): domain must be one of" in text
    assert "robins.csv row 3 (study 'FINAL 2024'): study must be assessed with RoB 2" in text
    assert "domain must have a row for outcome 'pain', got 'D2'" in text


def test_robins_overall_not_below_the_worst_domain(tmp_path, review):
    lines = [f"Younger 2009,pain,D{i},{'Serious' if i == 1 else 'Low'},x,1\n"
             for i in range(1, 8)]
    robins = ("study,outcome,domain,judgment,support,source_rows\n" + "".join(lines)
              + "Younger 2009,pain,overall,Moderate,x,1\n")
    with pytest.raises(ReviewValidationError, match="at least as severe"):
        load_robins(_folder(tmp_path, HEAD, robins), review.studies)


def test_folder_without_files_has_no_assessments(tmp_path, review):
    folder = _folder(tmp_path, HEAD)
    (folder / "rob2.csv").unlink()
    (folder / "robins.csv").unlink()
    empty = load_rob2(folder, review.studies)
    assert empty.rob2 == () and empty.robins == ()
