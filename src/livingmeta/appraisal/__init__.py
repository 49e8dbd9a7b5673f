"""livingmeta appraisal: risk of bias (RoB 2, ROBINS-I) and certainty of evidence.

- :mod:`~livingmeta.appraisal.rob2`: RoB 2 for parallel and crossover trials, its
  signalling questions as data, the published algorithm per domain, overrides, and
  ``load_rob2`` for a review folder's ``rob2.csv`` (and ``robins.csv``);
- :mod:`~livingmeta.appraisal.robins`: ROBINS-I judgments entered directly;
- :mod:`~livingmeta.appraisal.grade`: GRADE certainty per outcome (suggested and decided
  judgments of the five domains) and ``load_grade`` for a folder's ``grade.toml``;
- :mod:`~livingmeta.appraisal.sof`: the Summary of Findings table (HTML, markdown, docx).
"""

from livingmeta.appraisal.grade import (
    Decision,
    GradeAssessment,
    GradeDomain,
    GradeInputs,
    GradeSettings,
    grade_outcome,
    grade_review,
    load_grade,
    rob_from_assessments,
)
from livingmeta.appraisal.review import ReviewAppraisal, appraise_review
from livingmeta.appraisal.rob2 import (
    ROB2_DOMAINS,
    ROB2_JUDGMENTS,
    DomainJudgment,
    Override,
    RobAssessment,
    RobAssessments,
    SignallingAnswer,
    assess_rob2,
    load_rob2,
    overall_judgment,
    rob2_domains,
)
from livingmeta.appraisal.robins import (
    ROBINS_DOMAINS,
    ROBINS_JUDGMENTS,
    RobinsAssessment,
    RobinsDomain,
    load_robins,
    robins_overall,
)
from livingmeta.appraisal.sof import SofRow, SummaryOfFindings, summary_of_findings

__all__ = [
    "ROB2_DOMAINS",
    "ROB2_JUDGMENTS",
    "ROBINS_DOMAINS",
    "ROBINS_JUDGMENTS",
    "Decision",
    "DomainJudgment",
    "GradeAssessment",
    "GradeDomain",
    "GradeInputs",
    "GradeSettings",
    "Override",
    "ReviewAppraisal",
    "RobAssessment",
    "RobAssessments",
    "RobinsAssessment",
    "RobinsDomain",
    "SignallingAnswer",
    "SofRow",
    "SummaryOfFindings",
    "appraise_review",
    "assess_rob2",
    "grade_outcome",
    "grade_review",
    "load_grade",
    "load_rob2",
    "load_robins",
    "overall_judgment",
    "rob2_domains",
    "rob_from_assessments",
    "robins_overall",
    "summary_of_findings",
]
