"""A review's appraisal in one call: records and PRISMA, RoB 2 / ROBINS-I, GRADE, the
Summary of Findings.

:func:`appraise_review` reads the appraisal files of a review folder (``records/``,
``rob2.csv``, ``robins.csv``, ``grade.toml``; each optional) and computes, from a
:class:`~livingmeta.review.ReviewResult`, the GRADE assessment of every outcome (its
risk-of-bias domain suggested from the share of weight at each RoB judgment) and the
Summary of Findings table. ``livingmeta run`` passes the appraisal to the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livingmeta.appraisal.grade import (
    GradeAssessment,
    GradeInputs,
    grade_review,
    load_grade,
    rob_from_assessments,
)
from livingmeta.appraisal.rob2 import RobAssessments, load_rob2
from livingmeta.appraisal.sof import SummaryOfFindings, summary_of_findings
from livingmeta.records import RecordsState, load_records
from livingmeta.review.problems import ReviewValidationError

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.review import Review, ReviewResult

__all__ = ["ReviewAppraisal", "appraise_review"]


@dataclass(frozen=True, slots=True)
class ReviewAppraisal:
    """Risk of bias, GRADE and the Summary of Findings of one review run.

    Attributes
    ----------
    rob : RobAssessments
        RoB 2 and ROBINS-I assessments from the folder (empty when it has none).
    rob_by_outcome : dict
        Outcome id -> {study: overall risk-of-bias judgment}, as GRADE used it.
    grade_inputs : GradeInputs
        ``grade.toml`` (MIDs, information-size settings, reviewer decisions).
    grade : tuple of GradeAssessment
        One per outcome: suggested and decided judgments of the five domains.
    sof : SummaryOfFindings
        The GRADEpro-style table (``as_html``, ``as_markdown``, ``to_docx``).
    records : RecordsState or None
        Search records, duplicates, screening, agreement and the PRISMA 2020 flow, when
        the folder has ``records/sources.toml``.
    """

    rob: RobAssessments
    rob_by_outcome: dict[str, dict[str, str]]
    grade_inputs: GradeInputs
    grade: tuple[GradeAssessment, ...]
    sof: SummaryOfFindings
    records: RecordsState | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary: risk-of-bias judgments, GRADE and the SoF rows."""
        return {
            "rob": self.rob_by_outcome,
            "grade": [a.to_dict() for a in self.grade],
            "sof": self.sof.to_dict(),
            "prisma": None if self.records is None else self.records.flow.to_dict(),
        }


def appraise_review(review: Review, result: ReviewResult) -> ReviewAppraisal:
    """Read the folder's appraisal files and appraise every outcome of ``result``.

    Raises
    ------
    ReviewValidationError
        Every problem in ``records/``, ``rob2.csv``, ``robins.csv`` and ``grade.toml``
        at once, naming file, row and column (or key, or record).
    """
    problems: list[Any] = []

    def collect(load: Any) -> Any:
        try:
            return load()
        except ReviewValidationError as exc:
            problems.extend(exc.problems)
            return None

    records = None
    if (review.path / "records" / "sources.toml").is_file():
        records = collect(lambda: load_records(review.path))
    rob = collect(lambda: load_rob2(review.path, review.studies,
                                    outcomes=[o.id for o in review.outcomes],
                                    record=review.record))
    inputs = collect(lambda: load_grade(review.path, review))
    if problems:
        raise ReviewValidationError(problems, str(review.path))
    rob_by_outcome = {k: dict(v) for k, v in rob_from_assessments(rob, result).items()}
    grade = grade_review(result, inputs, rob=rob_by_outcome)
    sof = summary_of_findings(result, inputs, assessments=grade, rob=rob_by_outcome)
    return ReviewAppraisal(rob=rob, rob_by_outcome=rob_by_outcome, grade_inputs=inputs,
                           grade=grade, sof=sof, records=records)
