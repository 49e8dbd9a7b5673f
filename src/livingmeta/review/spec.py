"""The parsed, checked content of a review folder: frozen dataclasses, no statistics.

:func:`~livingmeta.review.load_review` builds a :class:`Review`; FORMAT.md documents the
files each field comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livingmeta.results import jsonable
from livingmeta.review._living_plan import LivingPlan

__all__ = [
    "DATA_TYPES",
    "DESIGNS",
    "DIRECTIONS",
    "OUTCOME_MEASURES",
    "REPORTED_MEASURES",
    "SENSITIVITY_KINDS",
    "STATUSES",
    "AnalysisPlan",
    "DataRow",
    "Outcome",
    "Question",
    "Review",
    "ReviewInfo",
    "SensitivitySpec",
    "Study",
]

#: Effect measures an outcome may be analysed on.
OUTCOME_MEASURES = ("SMD", "MD", "RR", "OR", "RD")
#: Direction of benefit on the outcome's scale.
DIRECTIONS = ("lower", "higher")
#: Study designs (``studies.csv`` column ``design``).
DESIGNS = ("parallel", "crossover", "factorial", "non-randomized", "other")
#: Study statuses (``studies.csv`` column ``status``).
STATUSES = ("included", "sensitivity-only", "awaiting-data", "excluded")
#: Kinds of data row (``data.csv`` column ``data_type``).
DATA_TYPES = ("arm", "contrast", "paired-contrast")
#: What a row reports (``data.csv`` column ``reported_measure``), by data type.
REPORTED_MEASURES: dict[str, tuple[str, ...]] = {
    "arm": ("means", "events"),
    "contrast": ("MD", "adjusted MD", "SMD", "Cohen's d", "Hedges' g", "p-value"),
    "paired-contrast": ("MD", "median difference", "p-value"),
}
#: Sensitivity analyses a review may declare (``[[analysis.sensitivity]] kind``).
SENSITIVITY_KINDS = ("vary-ri", "exclude-derived", "include-sensitivity-only",
                     "common-effect")


@dataclass(frozen=True, slots=True)
class Question:
    """The review question as PICO."""

    population: str
    intervention: str
    comparator: str
    outcomes: str
    intervention_label: str = "intervention"
    comparator_label: str = "comparator"


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    """``[review]``: title, version, date of the data, question, authors."""

    title: str
    version: str
    date: str
    question: Question
    authors: tuple[str, ...] = ()
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One ``[[outcomes]]`` entry.

    Attributes
    ----------
    id, label : str
        Identifier used in ``data.csv`` and the label shown in reports.
    measure : str
        Main effect measure (``SMD MD RR OR RD``).
    extra_measures : tuple of str
        Further measures shown for the same outcome (e.g. MD on the 0-10 scale).
    direction : {"lower", "higher"}
        Which values of the outcome are better for participants.
    scale : str
        Scale or unit (free text).
    pool : bool
        False: studies are shown, never pooled (a single-study outcome).
    primary : bool
        The review's primary outcome (exactly one).
    published_labels : tuple of str
        Outcome labels of published syntheses that estimate this outcome.
    """

    id: str
    label: str
    measure: str
    extra_measures: tuple[str, ...]
    direction: str
    scale: str
    pool: bool
    primary: bool
    published_labels: tuple[str, ...] = ()

    @property
    def measures(self) -> tuple[str, ...]:
        """The main measure followed by the extra ones."""
        return (self.measure, *self.extra_measures)


@dataclass(frozen=True, slots=True)
class SensitivitySpec:
    """One declared sensitivity analysis (``[[analysis.sensitivity]]``)."""

    id: str
    kind: str
    label: str
    values: tuple[float, ...] = ()
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AnalysisPlan:
    """``[analysis]``: the profiles, the assumed correlation, subgroups, sensitivity."""

    primary_profile: str
    profiles: tuple[str, ...]
    ri: float
    ri_values: tuple[float, ...]
    subgroups: tuple[str, ...]
    cumulative_order: str
    sensitivity: tuple[SensitivitySpec, ...]
    level: float = 0.95
    living: LivingPlan = field(default_factory=LivingPlan)


@dataclass(frozen=True, slots=True)
class Study:
    """One row of ``studies.csv``."""

    row: int
    study: str
    year: int
    design: str
    randomized: bool
    dose_mg: float | None
    status: str
    reason: str
    n_randomized: int | None
    citation: str
    source_url: str
    extra: Mapping[str, str] = field(default_factory=dict)

    def covariate(self, name: str) -> str | None:
        """The value of a column used for subgroups, as a label (None when empty)."""
        if name == "design":
            return self.design
        if name == "dose_mg":
            return None if self.dose_mg is None else f"{self.dose_mg:g} mg"
        if name == "randomized":
            return "randomized" if self.randomized else "not randomized"
        if name == "year":
            return str(self.year)
        value = self.extra.get(name, "")
        return value or None


@dataclass(frozen=True, slots=True)
class DataRow:
    """One row of a data table: one study x outcome (x measures, see ``used_for``).

    Attributes
    ----------
    file, row : str, int
        Where the row is (1-based data row), for messages and provenance.
    study, outcome : str
        The study (as in ``studies.csv``) and the outcome id.
    data_type : {"arm", "contrast", "paired-contrast"}
    reported_measure : str
        What the source reports (``REPORTED_MEASURES``).
    scale : str
        The instrument or scale of the numbers.
    used_for : tuple of str
        The outcome measures this row feeds (empty: every measure it can produce).
    values : mapping
        The numeric cells given (metafor names: n1i, m1i, ai, yi, ci_lb, pval, ...).
    sign : int or None
        Sign of (treatment - control) where only a p-value is reported.
    source_url, source_quote : str
        Where the numbers were read, and the quote or location.
    derived : bool
        A number on the row was worked out by the reviewer from reported numbers (or
        substituted for an unreported one): see ``source_quote``/``notes``.
    source_rows : tuple of int
        Rows of the review's copy of the public record the numbers come from.
    notes : str
        Free-text reviewer notes.
    """

    file: str
    row: int
    study: str
    outcome: str
    data_type: str
    reported_measure: str
    scale: str
    used_for: tuple[str, ...]
    values: Mapping[str, float]
    sign: int | None
    source_url: str
    source_quote: str
    derived: bool
    source_rows: tuple[int, ...]
    notes: str = ""

    def get(self, name: str) -> float | None:
        """A numeric cell, or None when empty."""
        return self.values.get(name)


@dataclass(frozen=True, slots=True)
class Review:
    """A loaded, validated review folder.

    Attributes
    ----------
    path : pathlib.Path
        The folder.
    info : ReviewInfo
    outcomes : tuple of Outcome
    analysis : AnalysisPlan
    studies : tuple of Study
    data : tuple of DataRow
    record : tuple of dict
        The review's copy of the public record (``[sources] record``), one dict per row.
    published : tuple of dict
        Raw rows of ``[sources] published`` (published syntheses), if declared.
    files : tuple of (str, str)
        Every file of the folder with its SHA-256 digest, sorted by path.
    digest : str
        SHA-256 over the files' paths and digests: changes when any file changes.
    """

    path: Path
    info: ReviewInfo
    outcomes: tuple[Outcome, ...]
    analysis: AnalysisPlan
    studies: tuple[Study, ...]
    data: tuple[DataRow, ...]
    record: tuple[Mapping[str, str], ...]
    published: tuple[Mapping[str, str], ...]
    files: tuple[tuple[str, str], ...]
    digest: str

    def outcome(self, outcome_id: str) -> Outcome:
        """The outcome with this id (KeyError if none)."""
        for o in self.outcomes:
            if o.id == outcome_id:
                return o
        raise KeyError(outcome_id)

    def study(self, name: str) -> Study:
        """The study with this label (KeyError if none)."""
        for s in self.studies:
            if s.study == name:
                return s
        raise KeyError(name)

    @property
    def primary_outcome(self) -> Outcome:
        """The outcome flagged ``primary = true``."""
        return next(o for o in self.outcomes if o.primary)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description of the review (not the raw record)."""
        return {
            "path": str(self.path),
            "info": jsonable(self.info),
            "outcomes": [jsonable(o) for o in self.outcomes],
            "analysis": jsonable(self.analysis),
            "studies": [jsonable(s) for s in self.studies],
            "data": [jsonable(d) for d in self.data],
            "files": [list(f) for f in self.files],
            "digest": self.digest,
        }
