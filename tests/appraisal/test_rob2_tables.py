"""The RoB 2 algorithms against the published decision tables, row by row.

Each table below transcribes one "algorithm for suggested judgement of risk of bias"
(RoB 2 full guidance, Higgins et al. 2019, the table closing each domain's section;
domain S and question 5.4 from RoB 2 for crossover trials, 2021). A cell such as
"Y/PY/NI" is expanded into every answer it stands for, so every combination the table
covers is checked; NA marks a question the table leaves unanswered. A last test walks
every combination of answers and checks that each maps to a table row.
"""

from __future__ import annotations

import itertools

import pytest

from livingmeta.appraisal.rob2 import (
    assess_rob2,
    judge_carryover,
    judge_deviations,
    judge_measurement,
    judge_missing_data,
    judge_randomization,
    judge_reported_result,
    overall_judgment,
)
from livingmeta.errors import ParameterError

L, S, H = "Low", "Some concerns", "High"
ANY = "Y/PY/PN/N/NI"


def _expand(questions, row):
    """Every answer dict a table row stands for ('NA' cells are left out)."""
    cells = [c.split("/") for c in row]
    for combo in itertools.product(*cells):
        yield {q: a for q, a in zip(questions, combo, strict=True) if a != "NA"}


def _check(judge, questions, table):
    checked = 0
    for *row, expected in table:
        for answers in _expand(questions, row):
            assert judge(answers) == expected, (row, answers)
            checked += 1
    return checked


# Domain 1, randomization process (guidance, domain 1 algorithm table).
D1 = [
    # 1.1        1.2       1.3          judgment
    ("Y/PY/NI", "Y/PY", "N/PN/NI", L),
    ("Y/PY/NI", "Y/PY", "Y/PY", S),
    ("N/PN", "Y/PY", "N/PN/NI", S),
    ("N/PN", "Y/PY", "Y/PY", S),
    (ANY, "NI", "N/PN/NI", S),
    (ANY, "NI", "Y/PY", H),
    (ANY, "N/PN", ANY, H),
]

# Domain 2, effect of assignment: part 1 (2.1-2.5) and part 2 (2.6-2.7) as tabulated,
# combined: Low if both Low, High if either High, else Some concerns.
D2_PART1 = [
    # 2.1/2.2 (either)    2.3      2.4          2.5          part 1
    ("both N/PN", "NA", "NA", "NA", L),
    ("either Y/PY/NI", "N/PN", "NA", "NA", L),
    ("either Y/PY/NI", "NI", "NA", "NA", S),
    ("either Y/PY/NI", "Y/PY", "N/PN", "NA", S),
    ("either Y/PY/NI", "Y/PY", "Y/PY/NI", "Y/PY", S),
    ("either Y/PY/NI", "Y/PY", "Y/PY/NI", "N/PN/NI", H),
]
D2_PART2 = [
    # 2.6        2.7          part 2
    ("Y/PY", "NA", L),
    ("N/PN/NI", "N/PN", S),
    ("N/PN/NI", "Y/PY/NI", H),
]
_AWARE = {"both N/PN": [(a, b) for a in ("N", "PN") for b in ("N", "PN")],
          "either Y/PY/NI": [(a, b) for a in ("Y", "PY", "PN", "N", "NI")
                             for b in ("Y", "PY", "PN", "N", "NI")
                             if not (a in ("N", "PN") and b in ("N", "PN"))]}

D3 = [
    # 3.1        3.2      3.3          3.4          judgment
    ("Y/PY", "NA", "NA", "NA", L),
    ("N/PN/NI", "Y/PY", "NA", "NA", L),
    ("N/PN/NI", "N/PN", "N/PN", "NA", L),
    ("N/PN/NI", "N/PN", "Y/PY/NI", "N/PN", S),
    ("N/PN/NI", "N/PN", "Y/PY/NI", "Y/PY/NI", H),
]

D4 = [
    # 4.1        4.2      4.3          4.4          4.5          judgment
    ("N/PN/NI", "N/PN", "N/PN", "NA", "NA", L),
    ("N/PN/NI", "N/PN", "Y/PY/NI", "N/PN", "NA", L),
    ("N/PN/NI", "N/PN", "Y/PY/NI", "Y/PY/NI", "N/PN", S),
    ("N/PN/NI", "N/PN", "Y/PY/NI", "Y/PY/NI", "Y/PY/NI", H),
    ("N/PN/NI", "NI", "N/PN", "NA", "NA", S),
    ("N/PN/NI", "NI", "Y/PY/NI", "N/PN", "NA", S),
    ("N/PN/NI", "NI", "Y/PY/NI", "Y/PY/NI", "N/PN", S),
    ("N/PN/NI", "NI", "Y/PY/NI", "Y/PY/NI", "Y/PY/NI", H),
    ("N/PN/NI", "Y/PY", "NA", "NA", "NA", H),
    ("Y/PY", ANY, "NA", "NA", "NA", H),
]

D5 = [
    # 5.1        5.2      5.3      judgment
    ("Y/PY", "N/PN", "N/PN", L),
    ("N/PN/NI", "N/PN", "N/PN", S),
    (ANY, "N/PN/NI", "NI", S),
    (ANY, "NI", "N/PN", S),
    (ANY, "Y/PY", ANY, H),
    (ANY, ANY, "Y/PY", H),
]

# Crossover variant: domain 5 with 5.4 (a result from both periods sought but unavailable
# because carryover was found) joining 5.2 and 5.3.
D5_CROSSOVER = [
    # 5.1        5.2      5.3      5.4      judgment
    ("Y/PY", "N/PN", "N/PN", "N/PN", L),
    ("N/PN/NI", "N/PN", "N/PN", "N/PN", S),
    (ANY, "N/PN", "N/PN", "NI", S),
    (ANY, "N/PN/NI", "N/PN/NI", "Y/PY", H),
]

# Domain S (crossover), period and carryover effects.
DS = [
    # S.1        S.2          S.3      judgment
    ("Y/PY", "NA", "Y/PY", L),
    ("N/PN/NI", "Y/PY", "Y/PY", L),
    ("Y/PY", "NA", "NI", S),
    ("N/PN/NI", "Y/PY", "NI", S),
    ("N/PN/NI", "N/PN/NI", "Y/PY/NI", S),
    ("Y/PY", "NA", "N/PN", H),
    ("N/PN/NI", ANY, "N/PN", H),
]


def test_domain_1_randomization_table():
    assert _check(judge_randomization, ("1.1", "1.2", "1.3"), D1) == 5 * 5 * 5


def test_domain_2_assignment_tables_part_by_part():
    checked = 0
    for aware, q23, q24, q25, part1 in D2_PART1:
        for q21, q22 in _AWARE[aware]:
            for tail in _expand(("2.3", "2.4", "2.5"), (q23, q24, q25)):
                for q26, q27, part2 in D2_PART2:
                    for end in _expand(("2.6", "2.7"), (q26, q27)):
                        answers = {"2.1": q21, "2.2": q22, **tail, **end}
                        worst = max(part1, part2, key=[L, S, H].index)
                        assert judge_deviations(answers) == worst, answers
                        checked += 1
    assert checked > 1000


def test_domain_s_period_and_carryover_table():
    _check(judge_carryover, ("S.1", "S.2", "S.3"), DS)


def test_domain_3_missing_data_table():
    _check(judge_missing_data, ("3.1", "3.2", "3.3", "3.4"), D3)


def test_domain_4_measurement_table():
    _check(judge_measurement, ("4.1", "4.2", "4.3", "4.4", "4.5"), D4)


def test_domain_5_reported_result_table():
    assert _check(judge_reported_result, ("5.1", "5.2", "5.3"), D5) > 5 ** 3


def test_domain_5_crossover_table_with_question_5_4():
    _check(judge_reported_result, ("5.1", "5.2", "5.3", "5.4"), D5_CROSSOVER)


@pytest.mark.parametrize(("table", "questions"), [
    (D1, ("1.1", "1.2", "1.3")), (DS, ("S.1", "S.2", "S.3")),
    (D5, ("5.1", "5.2", "5.3")), (D3, ("3.1", "3.2", "3.3", "3.4")),
    (D4, ("4.1", "4.2", "4.3", "4.4", "4.5")),
])
def test_tables_are_complete_and_never_contradict(table, questions):
    """Every reachable combination of answers falls under one judgment of the table."""
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for *row, expected in table:
        for answers in _expand(questions, row):
            key = tuple(sorted(answers.items()))
            assert seen.setdefault(key, expected) == expected, (key, expected)
    reachable = {tuple(sorted(a.items())) for a in _walk(questions)}
    assert reachable <= set(seen)


def _walk(questions):
    """Every answer set a reviewer can give, following the questions' conditions."""
    from livingmeta.appraisal.rob2 import ROB2_DOMAINS

    spec = {q.id: q for d in ROB2_DOMAINS["crossover"] for q in d.questions}
    partial = [{}]
    for qid in questions:
        nxt = []
        for answers in partial:
            if spec[qid].applies(answers):
                nxt.extend({**answers, qid: a} for a in spec[qid].options)
            else:
                nxt.append(answers)
        partial = nxt
    return partial


def test_overall_is_the_worst_domain():
    assert overall_judgment([L] * 5) == L
    assert overall_judgment([L, S, L, S, L]) == S
    assert overall_judgment([S, H, L, L, L]) == H
    with pytest.raises(ParameterError, match="'judgments'"):
        overall_judgment([L, "Unclear"])


def test_unanswered_reached_question_is_an_error():
    with pytest.raises(ParameterError, match=r"Question 2\.4"):
        judge_deviations({"2.1": "Y", "2.2": "N", "2.3": "Y", "2.6": "Y"})


def _low_parallel():
    return {"1.1": "Y", "1.2": "Y", "1.3": "N", "2.1": "N", "2.2": "N", "2.6": "Y",
            "3.1": "Y", "4.1": "N", "4.2": "N", "4.3": "N", "5.1": "Y", "5.2": "N",
            "5.3": "N"}


def test_assessment_keeps_algorithm_and_overrides():
    from livingmeta.appraisal import Override

    answers = {**_low_parallel(), "1.2": "NI", "5.1": "NI"}
    plain = assess_rob2("A", "pain", "parallel", answers)
    assert [d.judgment for d in plain.domains] == [S, L, L, L, S]
    assert plain.algorithm == plain.judgment == S
    reason = "concerns in two domains substantially lower confidence"
    over = assess_rob2("A", "pain", "parallel", answers,
                       overrides={"overall": Override(H, reason),
                                  "D1": Override(L, "central randomization (protocol)")})
    assert over.algorithm == S and over.judgment == H and over.override.reason == reason
    d1 = over.domain("D1")
    assert (d1.algorithm, d1.judgment) == (S, L)
    assert over.to_dict()["domains"][0]["override"]["judgment"] == L


def test_assessment_checks_conditions_answers_and_overrides():
    from livingmeta.appraisal import Override

    with pytest.raises(ParameterError, match=r"Question 2\.3 must be NA"):
        assess_rob2("A", "pain", "parallel", {**_low_parallel(), "2.3": "N"})
    with pytest.raises(ParameterError, match=r"Question 3\.1 must be answered"):
        assess_rob2("A", "pain", "parallel", {k: v for k, v in _low_parallel().items()
                                              if k != "3.1"})
    with pytest.raises(ParameterError, match="question ids"):
        assess_rob2("A", "pain", "parallel", {**_low_parallel(), "S.1": "Y"})
    with pytest.raises(ParameterError, match=r"answer to 3\.2"):
        assess_rob2("A", "pain", "parallel", {**_low_parallel(), "3.1": "N", "3.2": "NI"})
    with pytest.raises(ParameterError, match="reason"):
        assess_rob2("A", "pain", "parallel", _low_parallel(),
                    overrides={"overall": Override(H, " ")})
    with pytest.raises(ParameterError, match="'design'"):
        assess_rob2("A", "pain", "cluster", _low_parallel())


def test_crossover_assessment_has_domain_s_and_question_5_4():
    answers = {**_low_parallel(), "S.1": "N", "S.2": "Y", "S.3": "Y", "5.4": "N"}
    a = assess_rob2("B", "pain", "crossover", answers)
    assert [d.domain for d in a.domains] == ["D1", "DS", "D2", "D3", "D4", "D5"]
    assert a.judgment == L
    with pytest.raises(ParameterError, match=r"Question 5\.4 must be answered"):
        assess_rob2("B", "pain", "crossover", {k: v for k, v in answers.items()
                                               if k != "5.4"})
