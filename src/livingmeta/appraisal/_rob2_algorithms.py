"""The RoB 2 algorithms: one small pure function per domain, and the overall judgment.

Each function maps the answers of one domain (``{"1.1": "Y", ...}``; questions that do
not apply may be left out or given as ``"NA"``) to ``"Low"``, ``"Some concerns"`` or
``"High"``, following the tool's "algorithm for suggested judgement of risk of bias"
of that domain:

- domains 1 to 5: Higgins et al. (eds) 2019, the full RoB 2 guidance (22 August 2019),
  the algorithm table and flow chart that close each domain's section; summarised in
  Sterne et al. 2019, BMJ 366:l4898;
- domain S (crossover trials): Higgins, Li, Sterne (eds) 2021, RoB 2 for crossover
  trials, the algorithm of domain S; question 5.4 of the crossover variant joins 5.2 and
  5.3 in domain 5.

The overall judgment follows Sterne et al. 2019 (table "Reaching an overall
risk-of-bias judgement for a specific outcome") without its judgment call: Low when
every domain is Low, High when any domain is High, otherwise Some concerns. "Some
concerns in multiple domains in a way that substantially lowers confidence" is left to
the reviewer, as an override of the overall judgment with a stated reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from livingmeta.errors import ParameterError

__all__ = [
    "DOMAIN_ALGORITHMS",
    "HIGH",
    "LOW",
    "ROB2_JUDGMENTS",
    "SOME_CONCERNS",
    "judge_carryover",
    "judge_deviations",
    "judge_measurement",
    "judge_missing_data",
    "judge_randomization",
    "judge_reported_result",
    "overall_judgment",
]

LOW, SOME_CONCERNS, HIGH = "Low", "Some concerns", "High"
#: RoB 2 judgments, from least to most serious.
ROB2_JUDGMENTS = (LOW, SOME_CONCERNS, HIGH)

_YES = frozenset({"Y", "PY"})
_NO = frozenset({"N", "PN"})
_VALID = frozenset({"Y", "PY", "PN", "N", "NI"})


def _need(answers: Mapping[str, str], question: str) -> str:
    """The answer to a question the algorithm reaches (Y PY PN N NI), or an error."""
    value = answers.get(question, "NA")
    if value not in _VALID:
        raise ParameterError(
            f"Question {question} must be answered Y, PY, PN, N or NI where the RoB 2 "
            f"algorithm reaches it. Got {value!r}.")
    return value


def _worst(*parts: str) -> str:
    return max(parts, key=ROB2_JUDGMENTS.index)


def judge_randomization(answers: Mapping[str, str]) -> str:
    """Domain 1, bias arising from the randomization process (questions 1.1-1.3).

    >>> judge_randomization({"1.1": "Y", "1.2": "Y", "1.3": "N"})
    'Low'
    """
    q11, q12, q13 = (_need(answers, q) for q in ("1.1", "1.2", "1.3"))
    if q12 in _NO:
        return HIGH
    if q12 == "NI":
        return HIGH if q13 in _YES else SOME_CONCERNS
    if q13 in _YES:
        return SOME_CONCERNS
    return LOW if q11 in _YES or q11 == "NI" else SOME_CONCERNS


def judge_deviations(answers: Mapping[str, str]) -> str:
    """Domain 2, deviations from intended interventions, effect of assignment (2.1-2.7).

    Part 1 (2.1-2.5, deviations arising from the trial context) and part 2 (2.6-2.7,
    the analysis) are judged apart: Low if both are Low, High if either is High.

    >>> judge_deviations({"2.1": "N", "2.2": "N", "2.6": "Y"})
    'Low'
    """
    if _need(answers, "2.1") in _NO and _need(answers, "2.2") in _NO:
        part1 = LOW
    else:
        q23 = _need(answers, "2.3")
        if q23 in _NO:
            part1 = LOW
        elif q23 == "NI":
            part1 = SOME_CONCERNS
        elif _need(answers, "2.4") in _NO:
            part1 = SOME_CONCERNS
        else:
            part1 = SOME_CONCERNS if _need(answers, "2.5") in _YES else HIGH
    if _need(answers, "2.6") in _YES:
        part2 = LOW
    else:
        part2 = SOME_CONCERNS if _need(answers, "2.7") in _NO else HIGH
    return _worst(part1, part2)


def judge_carryover(answers: Mapping[str, str]) -> str:
    """Domain S (crossover trials), period and carryover effects (S.1-S.3).

    Low when period effects are dealt with (equal sequence groups, S.1, or period
    effects in the analysis, S.2) and carryover had time to disappear (S.3); High when
    it had not (S.3 N/PN); otherwise Some concerns.

    >>> judge_carryover({"S.1": "Y", "S.3": "PY"})
    'Low'
    """
    s1 = _need(answers, "S.1")
    periods_handled = s1 in _YES or _need(answers, "S.2") in _YES
    s3 = _need(answers, "S.3")
    if s3 in _NO:
        return HIGH
    return LOW if periods_handled and s3 in _YES else SOME_CONCERNS


def judge_missing_data(answers: Mapping[str, str]) -> str:
    """Domain 3, missing outcome data (3.1-3.4).

    >>> judge_missing_data({"3.1": "N", "3.2": "N", "3.3": "Y", "3.4": "N"})
    'Some concerns'
    """
    if _need(answers, "3.1") in _YES:
        return LOW
    if _need(answers, "3.2") in _YES:
        return LOW
    if _need(answers, "3.3") in _NO:
        return LOW
    return SOME_CONCERNS if _need(answers, "3.4") in _NO else HIGH


def judge_measurement(answers: Mapping[str, str]) -> str:
    """Domain 4, measurement of the outcome (4.1-4.5).

    An unanswerable 4.2 (NI) turns what would be Low into Some concerns.

    >>> judge_measurement({"4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "Y", "4.5": "N"})
    'Some concerns'
    """
    q42 = _need(answers, "4.2")
    if _need(answers, "4.1") in _YES or q42 in _YES:
        return HIGH
    if _need(answers, "4.3") in _NO or _need(answers, "4.4") in _NO:
        judgment = LOW
    else:
        judgment = SOME_CONCERNS if _need(answers, "4.5") in _NO else HIGH
    return SOME_CONCERNS if q42 == "NI" and judgment == LOW else judgment


def judge_reported_result(answers: Mapping[str, str]) -> str:
    """Domain 5, selection of the reported result (5.1-5.3; 5.4 in crossover trials).

    High when the result was likely selected (any of 5.2, 5.3, 5.4 Y/PY); Low when none
    was and the analysis followed a plan finalised before unblinded data (5.1 Y/PY).

    >>> judge_reported_result({"5.1": "NI", "5.2": "N", "5.3": "PN"})
    'Some concerns'
    """
    q51 = _need(answers, "5.1")
    selection = [_need(answers, q) for q in ("5.2", "5.3")]
    if answers.get("5.4", "NA") != "NA":
        selection.append(_need(answers, "5.4"))
    if any(a in _YES for a in selection):
        return HIGH
    if all(a in _NO for a in selection) and q51 in _YES:
        return LOW
    return SOME_CONCERNS


#: The algorithm of each domain id.
DOMAIN_ALGORITHMS: dict[str, Callable[[Mapping[str, str]], str]] = {
    "D1": judge_randomization,
    "DS": judge_carryover,
    "D2": judge_deviations,
    "D3": judge_missing_data,
    "D4": judge_measurement,
    "D5": judge_reported_result,
}


def overall_judgment(judgments: Iterable[str]) -> str:
    """Overall RoB 2 judgment from the domain judgments: the worst of them.

    >>> overall_judgment(["Low", "Some concerns", "Low"])
    'Some concerns'
    """
    values = list(judgments)
    bad = [j for j in values if j not in ROB2_JUDGMENTS]
    if bad or not values:
        raise ParameterError(f"The 'judgments' parameter must be a non-empty sequence of "
                             f"{ROB2_JUDGMENTS}. Got {values!r}.")
    return _worst(*values)
