"""Reviews as code: a folder a reviewer edits and keeps in git, loaded, checked and run.

A review folder holds (FORMAT.md in this package documents every key and column)::

    review.toml     [review] title, version, date of the data, question as PICO
                    [sources] copy of the public record (+ published syntheses)
                    [data] tables = ["data.csv", ...]
                    [[outcomes]] id, label, measure (SMD MD RR OR RD), extra_measures,
                                 direction (lower|higher), scale, pool, primary
                    [analysis] primary_profile, profiles, ri, ri_values, subgroups,
                               cumulative_order, [[analysis.sensitivity]] kind = vary-ri |
                               exclude-derived | include-sensitivity-only | common-effect
    studies.csv     study, year, design, randomized, dose_mg, status (included |
                    sensitivity-only | awaiting-data | excluded), reason, n_randomized,
                    citation, source_url [, record_id, any covariate]
    data.csv        one row per study x outcome: data_type (arm | contrast |
                    paired-contrast), reported_measure, scale, used_for, metafor columns
                    (n1i n2i ni m1i m2i sd1i sd2i ai bi ci di yi ci_lb ci_ub sei pval df
                    ri), sign, and provenance: source_url, source_quote, derived,
                    source_rows, notes
    sources/        the public record the numbers were read from
    versions.toml   the published versions: studies (by status) and record files of each

The flow (STYLE.md): :func:`load_review` validates the whole folder, reporting every
problem with file, row and column (:class:`ReviewValidationError`); :func:`run_review`
turns rows into effect sizes (:mod:`~livingmeta.effects.contrasts`, ``escalc``), pools
them under method profiles (:data:`PROFILES`) and runs the declared sensitivity,
subgroup and diagnostic analyses, returning a frozen :class:`ReviewResult`.
:func:`load_versions` reads ``versions.toml``, :func:`version_review` gives the review as
one version had it, and :func:`diff_versions` compares two versions (``livingmeta diff``).

>>> from livingmeta.review import embedded_review_path, load_review, run_review
>>> result = run_review(load_review(embedded_review_path()))
>>> pain = result.primary_outcome.main
>>> pain.primary.profile, pain.primary.k, round(pain.primary.estimate, 2)
('cochrane-2025', 4, -0.15)
"""

from livingmeta.effects.contrasts import EffectEstimate, StandardError
from livingmeta.review._living_plan import BayesPlan, LivingPlan, TsaPlan, WhatIfPlan
from livingmeta.review.diff import diff_versions, living_numbers
from livingmeta.review.diff_results import (
    OutcomeChange,
    OutcomeSnapshot,
    RecordChange,
    ReviewDiff,
    StudyChange,
    VersionSnapshot,
)
from livingmeta.review.effects import StudyEffect, compute_effects
from livingmeta.review.folders import (
    embedded_review_path,
    example_review_path,
    write_example_review,
)
from livingmeta.review.living import living_evidence
from livingmeta.review.living_results import LivingEvidence, WhatIfComparison
from livingmeta.review.loader import load_review
from livingmeta.review.problems import ReviewProblem, ReviewValidationError
from livingmeta.review.profiles import PROFILES, MethodProfile, get_profile
from livingmeta.review.results import (
    AnalysisStep,
    MeasureResult,
    OutcomeResult,
    PooledEstimate,
    PublishedSynthesis,
    ReviewProvenance,
    ReviewResult,
    SensitivityResult,
    SubgroupComparison,
)
from livingmeta.review.runner import run_review
from livingmeta.review.spec import (
    AnalysisPlan,
    DataRow,
    Outcome,
    Question,
    Review,
    ReviewInfo,
    SensitivitySpec,
    Study,
)
from livingmeta.review.versioned import load_versions, version_records, version_review
from livingmeta.review.versions import (
    STATUS_KEYS,
    VERSIONS_FILE,
    ReviewVersion,
    ReviewVersions,
    parse_versions,
)

__all__ = [
    "PROFILES",
    "STATUS_KEYS",
    "VERSIONS_FILE",
    "AnalysisPlan",
    "AnalysisStep",
    "BayesPlan",
    "DataRow",
    "EffectEstimate",
    "LivingEvidence",
    "LivingPlan",
    "MeasureResult",
    "MethodProfile",
    "Outcome",
    "OutcomeChange",
    "OutcomeResult",
    "OutcomeSnapshot",
    "PooledEstimate",
    "PublishedSynthesis",
    "Question",
    "RecordChange",
    "Review",
    "ReviewDiff",
    "ReviewInfo",
    "ReviewProblem",
    "ReviewProvenance",
    "ReviewResult",
    "ReviewValidationError",
    "ReviewVersion",
    "ReviewVersions",
    "SensitivityResult",
    "SensitivitySpec",
    "StandardError",
    "Study",
    "StudyChange",
    "StudyEffect",
    "SubgroupComparison",
    "TsaPlan",
    "VersionSnapshot",
    "WhatIfComparison",
    "WhatIfPlan",
    "compute_effects",
    "diff_versions",
    "embedded_review_path",
    "example_review_path",
    "get_profile",
    "living_evidence",
    "living_numbers",
    "load_review",
    "load_versions",
    "parse_versions",
    "run_review",
    "version_records",
    "version_review",
    "write_example_review",
]
