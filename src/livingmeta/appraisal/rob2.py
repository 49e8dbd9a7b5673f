"""RoB 2: risk of bias in randomized trials, per study and outcome.

The signalling questions of each domain are data (:data:`ROB2_DOMAINS`; parallel-group
trials and the crossover variant, which adds domain S on period and carryover effects and
question 5.4); each domain's published algorithm is a small pure function
(``judge_randomization`` ... ``judge_reported_result``, see ``_rob2_algorithms``). An
assessment keeps every answer with its support (a quote or location and the record rows
it rests on), the algorithm's judgment of each domain and of the whole result, and any
reviewer override with its reason: both the algorithm's judgment and the override are
kept, and ``judgment`` is the one that holds.

Domain 2 is the version for the effect of *assignment* to intervention (intention to
treat), the one a review of placebo-controlled trials pools.

References
----------
Sterne JAC, Savović J, Page MJ, et al. RoB 2: a revised tool for assessing risk of bias
in randomised trials. BMJ 2019;366:l4898.
Higgins JPT, Savović J, Page MJ, Sterne JAC (eds). Revised Cochrane risk-of-bias tool
for randomized trials (RoB 2), full guidance document, 22 August 2019.
Higgins JPT, Li T, Sterne JAC (eds). RoB 2 for crossover trials: additional
considerations, 2021.

Examples
--------
>>> answers = {"1.1": "Y", "1.2": "Y", "1.3": "N", "2.1": "N", "2.2": "N", "2.6": "Y",
...            "3.1": "Y", "4.1": "N", "4.2": "N", "4.3": "N", "5.1": "NI", "5.2": "N",
...            "5.3": "N"}
>>> a = assess_rob2("FINAL 2024", "pain", "parallel", answers)
>>> [(d.domain, d.judgment) for d in a.domains][-1], a.judgment
(('D5', 'Some concerns'), 'Some concerns')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingmeta.errors import ParameterError, check_choice

from ._rob2_algorithms import (
    DOMAIN_ALGORITHMS,
    HIGH,
    LOW,
    ROB2_JUDGMENTS,
    SOME_CONCERNS,
    judge_carryover,
    judge_deviations,
    judge_measurement,
    judge_missing_data,
    judge_randomization,
    judge_reported_result,
    overall_judgment,
)
from ._rob2_questions import (
    ANSWERS,
    ROB2_DESIGNS,
    ROB2_DOMAINS,
    Condition,
    Rob2Domain,
    SignallingQuestion,
    rob2_domains,
)

if TYPE_CHECKING:  # pragma: no cover
    from .robins import RobinsAssessment

__all__ = [
    "ANSWERS",
    "HIGH",
    "LOW",
    "ROB2_DESIGNS",
    "ROB2_DOMAINS",
    "ROB2_JUDGMENTS",
    "SOME_CONCERNS",
    "Condition",
    "DomainJudgment",
    "Override",
    "Rob2Domain",
    "RobAssessment",
    "RobAssessments",
    "SignallingAnswer",
    "SignallingQuestion",
    "assess_rob2",
    "judge_carryover",
    "judge_deviations",
    "judge_measurement",
    "judge_missing_data",
    "judge_randomization",
    "judge_reported_result",
    "load_rob2",
    "overall_judgment",
    "rob2_domains",
]


@dataclass(frozen=True, slots=True)
class SignallingAnswer:
    """The answer to one signalling question, with its support.

    Attributes
    ----------
    question : str
        Question id (``"2.6"``).
    answer : str
        ``Y PY PN N NI NA``.
    support : str
        Free text: a quote from the source or its location, and the reasoning.
    source_rows : tuple of int
        Rows of the review's record copy that the answer rests on (1-based data rows).
    row : int or None
        The row of ``rob2.csv`` it was read from.
    """

    question: str
    answer: str
    support: str = ""
    source_rows: tuple[int, ...] = ()
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """A reviewer's judgment replacing the algorithm's, with the reason."""

    judgment: str
    reason: str
    row: int | None = None


@dataclass(frozen=True, slots=True)
class DomainJudgment:
    """One domain of one assessment.

    Attributes
    ----------
    domain, name : str
        Domain id (``"D1"``, ``"DS"``, ...) and its name.
    answers : tuple of SignallingAnswer
        The domain's answers in question order (not applicable ones as ``NA``).
    algorithm : str
        The judgment the published algorithm gives for these answers.
    override : Override or None
        The reviewer's judgment and reason, where the reviewer departs from it.
    """

    domain: str
    name: str
    answers: tuple[SignallingAnswer, ...]
    algorithm: str
    override: Override | None = None

    @property
    def judgment(self) -> str:
        """The judgment that holds: the override where there is one."""
        return self.override.judgment if self.override is not None else self.algorithm

    def answer(self, question: str) -> SignallingAnswer | None:
        """The answer to one question (None when the domain has no such question)."""
        return next((a for a in self.answers if a.question == question), None)


@dataclass(frozen=True, slots=True)
class RobAssessment:
    """RoB 2 assessment of one result: a study's effect on one outcome.

    Attributes
    ----------
    study, outcome : str
        The study label (``studies.csv``) and outcome id (``review.toml``).
    design : {"parallel", "crossover"}
        Which variant of the tool was used.
    domains : tuple of DomainJudgment
        In the tool's order for the design.
    algorithm : str
        Overall judgment from the domain judgments that hold (the worst of them).
    override : Override or None
        The reviewer's overall judgment and reason (e.g. High for "some concerns in
        multiple domains in a way that substantially lowers confidence in the result").
    """

    study: str
    outcome: str
    design: str
    domains: tuple[DomainJudgment, ...]
    algorithm: str
    override: Override | None = None
    tool: str = field(default="RoB 2", init=False)

    @property
    def judgment(self) -> str:
        """The overall judgment that holds: the override where there is one."""
        return self.override.judgment if self.override is not None else self.algorithm

    def domain(self, domain: str) -> DomainJudgment | None:
        """One domain's judgment (None for a domain the design does not have)."""
        return next((d for d in self.domains if d.domain == domain), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: every answer, each domain's algorithm and override, overall."""
        def over(o: Override | None) -> dict[str, str] | None:
            return None if o is None else {"judgment": o.judgment, "reason": o.reason}

        return {
            "study": self.study, "outcome": self.outcome, "design": self.design,
            "tool": self.tool, "judgment": self.judgment, "algorithm": self.algorithm,
            "override": over(self.override),
            "domains": [{
                "domain": d.domain, "name": d.name, "judgment": d.judgment,
                "algorithm": d.algorithm, "override": over(d.override),
                "answers": [{"question": a.question, "answer": a.answer,
                             "support": a.support, "source_rows": list(a.source_rows)}
                            for a in d.answers]} for d in self.domains],
        }


def _check_override(name: str, value: Override | None) -> None:
    if value is None:
        return
    check_choice(f"{name} judgment", value.judgment, ROB2_JUDGMENTS)
    if not value.reason.strip():
        raise ParameterError(f"The {name!r} override must state a reason. Got {value!r}.")


def assess_rob2(
    study: str,
    outcome: str,
    design: str,
    answers: Mapping[str, str | SignallingAnswer],
    *,
    overrides: Mapping[str, Override] | None = None,
) -> RobAssessment:
    """Apply the RoB 2 algorithms to the answers of one study and outcome.

    Parameters
    ----------
    study, outcome : str
        Labels of the result assessed.
    design : {"parallel", "crossover"}
        The variant of the tool (crossover adds domain S and question 5.4).
    answers : mapping of str to str or SignallingAnswer
        Question id -> answer (``Y PY PN N NI``; ``NA`` or absent where the question
        does not apply). Every question that applies must be answered, and none that
        does not (its condition, e.g. "If Y/PY to 2.3", is false).
    overrides : mapping of str to Override, optional
        Domain id (``"D2"``) or ``"overall"`` -> the reviewer's judgment and reason.

    Returns
    -------
    RobAssessment

    Raises
    ------
    ParameterError
        An unknown question or answer, a question that applies left unanswered, one that
        does not apply answered, an override without a reason.
    """
    domains = rob2_domains(design)
    full = {qid: (a if isinstance(a, SignallingAnswer) else SignallingAnswer(qid, a))
            for qid, a in answers.items()}
    codes = {qid: a.answer for qid, a in full.items()}
    known = {q.id for d in domains for q in d.questions}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ParameterError(f"The 'answers' parameter must use the question ids of the "
                             f"{design} RoB 2 tool {sorted(known)}. Got {unknown}.")
    options = {sq.id: sq.options for d in domains for sq in d.questions}
    for qid, code in codes.items():
        check_choice(f"answer to {qid}", code, (*options[qid], "NA"))
    overrides = dict(overrides or {})
    for key in overrides:
        check_choice("overrides key", key, [*(d.id for d in domains), "overall"])
    judged = []
    for d in domains:
        for q in d.questions:
            given = codes.get(q.id, "NA")
            if q.applies(codes) and given == "NA":
                raise ParameterError(f"Question {q.id} must be answered "
                                     f"({q.condition.text if q.condition else 'always'}).")
            if not q.applies(codes) and given != "NA":
                assert q.condition is not None  # unconditional questions always apply
                raise ParameterError(f"Question {q.id} must be NA: it applies only "
                                     f"'{q.condition.text}'. Got {given!r}.")
        _check_override(d.id, overrides.get(d.id))
        domain_answers = tuple(full.get(q.id, SignallingAnswer(q.id, "NA"))
                               for q in d.questions)
        judged.append(DomainJudgment(d.id, d.name, domain_answers,
                                     DOMAIN_ALGORITHMS[d.id](codes), overrides.get(d.id)))
    _check_override("overall", overrides.get("overall"))
    return RobAssessment(study, outcome, design, tuple(judged),
                         overall_judgment(j.judgment for j in judged),
                         overrides.get("overall"))


@dataclass(frozen=True, slots=True)
class RobAssessments:
    """Every risk-of-bias assessment of a review: RoB 2 and ROBINS-I.

    Attributes
    ----------
    rob2 : tuple of RobAssessment
        Randomized trials, per study and outcome.
    robins : tuple of RobinsAssessment
        Non-randomized studies (ROBINS-I judgments entered directly).
    """

    rob2: tuple[RobAssessment, ...] = ()
    robins: tuple[RobinsAssessment, ...] = ()

    def get(self, study: str, outcome: str) -> RobAssessment | RobinsAssessment | None:
        """The assessment of one study's result on one outcome, whichever the tool."""
        for a in self.rob2:
            if a.study == study and a.outcome == outcome:
                return a
        for r in self.robins:
            if r.study == study and r.outcome == outcome:
                return r
        return None

    def judgment(self, study: str, outcome: str) -> str | None:
        """The overall judgment that holds for one study and outcome (None: none)."""
        found = self.get(study, outcome)
        return None if found is None else found.judgment

    def for_outcome(self, outcome: str) -> tuple[RobAssessment, ...]:
        """The RoB 2 assessments of one outcome, in file order."""
        return tuple(a for a in self.rob2 if a.outcome == outcome)

    def weight_shares(self, outcome: str, weights: Mapping[str, float], *,
                      domain: str = "overall") -> dict[str, float]:
        """Share of the total weight per RoB 2 judgment of one domain (or overall).

        ``weights`` maps study -> weight in a meta-analysis of ``outcome`` (any scale);
        the shares sum to 1 and include ``"Not applicable"`` (a crossover-only domain in
        a parallel trial) and ``"Not assessed"`` (a study without a RoB 2 assessment of
        the outcome, e.g. a non-randomized one).
        """
        totals = dict.fromkeys((*ROB2_JUDGMENTS, "Not applicable", "Not assessed"), 0.0)
        for study, w in weights.items():
            found = self.get(study, outcome)
            if not isinstance(found, RobAssessment):
                key = "Not assessed"
            elif domain == "overall":
                key = found.judgment
            else:
                d = found.domain(domain)
                key = "Not applicable" if d is None else d.judgment
            totals[key] += float(w)
        total = sum(totals.values())
        if not total > 0:
            raise ParameterError(f"The 'weights' parameter must hold positive weights. "
                                 f"Got {dict(weights)!r}.")
        return {k: v / total for k, v in totals.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``{"rob2": [...], "robins": [...]}``."""
        return {"rob2": [a.to_dict() for a in self.rob2],
                "robins": [a.to_dict() for a in self.robins]}

    def to_frame(self) -> Any:
        """One row per study x outcome x domain (and overall): tool, judgment, algorithm,
        override reason (a pandas DataFrame)."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for a in self.rob2:
            for d in a.domains:
                rows.append({"study": a.study, "outcome": a.outcome, "tool": a.tool,
                             "domain": d.domain, "judgment": d.judgment,
                             "algorithm": d.algorithm,
                             "override_reason": d.override.reason if d.override else ""})
            rows.append({"study": a.study, "outcome": a.outcome, "tool": a.tool,
                         "domain": "overall", "judgment": a.judgment,
                         "algorithm": a.algorithm,
                         "override_reason": a.override.reason if a.override else ""})
        for r in self.robins:
            for dom in r.domains:
                rows.append({"study": r.study, "outcome": r.outcome, "tool": r.tool,
                             "domain": dom.domain, "judgment": dom.judgment,
                             "algorithm": "", "override_reason": ""})
            rows.append({"study": r.study, "outcome": r.outcome, "tool": r.tool,
                         "domain": "overall", "judgment": r.judgment,
                         "algorithm": r.algorithm, "override_reason": ""})
        return pd.DataFrame(rows, columns=["study", "outcome", "tool", "domain", "judgment",
                                           "algorithm", "override_reason"])


def load_rob2(
    review_folder: str | Path,
    studies: Iterable[Any],
    *,
    outcomes: Iterable[str] | None = None,
    record: Sequence[Mapping[str, str]] = (),
    record_study_column: str = "study_id",
) -> RobAssessments:
    """Read and check ``rob2.csv`` (and ``robins.csv``) of a review folder.

    Parameters
    ----------
    review_folder : str or path-like
        The review folder; a missing ``rob2.csv`` or ``robins.csv`` reads as no
        assessments of that tool.
    studies : iterable of Study
        The review's studies (``Review.studies``), read by name: ``study``, ``design``,
        ``randomized`` and ``extra["record_id"]``.
    outcomes : iterable of str, optional
        The review's outcome ids; when given, assessments must name one of them.
    record : sequence of mappings, optional
        The rows of the review's record copy (``Review.record``); when given,
        ``source_rows`` must point at rows of it about the study.
    record_study_column : str
        The record's study column (``[sources] record_study_column``).

    Returns
    -------
    RobAssessments

    Raises
    ------
    ReviewValidationError
        Every problem of both files at once, each naming the file, row and column.

    Examples
    --------
    >>> from livingmeta.review import embedded_review_path, load_review
    >>> review = load_review(embedded_review_path())
    >>> rob = load_rob2(review.path, review.studies, record=review.record)
    >>> rob.judgment("FINAL 2024", "pain"), rob.judgment("Younger 2009", "pain")
    ('Some concerns', 'Critical')
    """
    from ._rob2_load import read_assessments

    return read_assessments(Path(review_folder), tuple(studies),
                            None if outcomes is None else tuple(outcomes), tuple(record),
                            record_study_column)
