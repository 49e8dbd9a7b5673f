"""GRADE's vocabulary and the frozen values of an assessment (see :mod:`.grade`).

Certainty levels, symbols and the five downgrading domains follow the GRADE handbook
(Schünemann et al. 2013, section 5) and Cochrane Handbook ch. 14 (Table 14.2.a).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from livingmeta.errors import ParameterError

__all__ = [
    "CERTAINTY",
    "DOMAINS",
    "DOMAIN_LABELS",
    "GRADE_DESIGNS",
    "JUDGMENTS",
    "SYMBOLS",
    "Decision",
    "GradeAssessment",
    "GradeDomain",
    "GradeSettings",
    "certainty_level",
]

#: Judgments of a downgrading domain and the levels each removes.
JUDGMENTS: dict[str, int] = {"not serious": 0, "serious": 1, "very serious": 2}
#: The five domains, in GRADEpro's column order.
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
DOMAIN_LABELS = {"risk_of_bias": "Risk of bias", "inconsistency": "Inconsistency",
                 "indirectness": "Indirectness", "imprecision": "Imprecision",
                 "publication_bias": "Publication bias"}
#: Certainty levels from lowest (1) to highest (4).
CERTAINTY = ("Very low", "Low", "Moderate", "High")
#: GRADEpro's symbols, same order as CERTAINTY.
SYMBOLS = ("⊕◯◯◯", "⊕⊕◯◯", "⊕⊕⊕◯", "⊕⊕⊕⊕")
#: Study designs and where each starts (GRADE handbook 5.1: RCTs High, others Low).
GRADE_DESIGNS = {"RCT": 4, "non-randomized": 2}
_LEVEL_WORDS = {1: "one level", 2: "two levels"}


def certainty_level(start: int, downgrades: int) -> int:
    """Certainty after ``downgrades`` levels from ``start`` (4 High ... 1 Very low).

    Never below Very low (GRADE handbook 5.2: ratings stop at Very low).

    Examples
    --------
    >>> [CERTAINTY[certainty_level(4, d) - 1] for d in (0, 1, 2, 3, 5)]
    ['High', 'Moderate', 'Low', 'Very low', 'Very low']
    """
    if start not in (1, 2, 3, 4) or downgrades < 0:
        raise ParameterError(f"start must be 1-4 and downgrades >= 0. Got {start}, "
                             f"{downgrades}.")
    return max(1, start - downgrades)


@dataclass(frozen=True, slots=True)
class Decision:
    """The reviewer's decision on one domain.

    ``judgment`` None accepts the suggestion; one of :data:`JUDGMENTS` overrides it.
    ``reason`` says why, in both cases (it is kept beside the suggestion).
    """

    judgment: str | None
    reason: str

    def __post_init__(self) -> None:
        if self.judgment is not None and self.judgment not in JUDGMENTS:
            raise ParameterError(f"The 'judgment' parameter must be one of "
                                 f"{sorted(JUDGMENTS)} or None. Got {self.judgment!r}.")


@dataclass(frozen=True, slots=True)
class GradeSettings:
    """What the reviewer declares for one outcome before GRADE can suggest judgments.

    Attributes
    ----------
    direction : {"lower", "higher"}
        Which values of the outcome are better (from ``review.toml``).
    mid : float or None
        Minimal important difference on the measure's own scale: SMD units for SMD, the
        scale's units for MD, and for RR/OR the relative change counted as appreciable
        (0.25: RR 0.75 and 1.25, GRADE 6 rule of thumb). None: the null is the threshold.
    mid_source : str
        Where the MID comes from (a citation).
    ois_alpha, ois_power : float
        Error rates of the single trial whose size is the optimal information size.
    ois_delta : float or None
        The effect that trial would detect: default ``mid`` (continuous) or a relative
        risk reduction of 0.25 (binary).
    ois_sd : float or None
        SD of the scale for an MD outcome's OIS (SMD uses 1).
    ois_control_risk : float or None
        Control risk for a binary OIS (default: the pooled control-arm risk).
    small_study_n : int
        Studies with fewer participants count as small (publication-bias pattern).
    funding : mapping of str to str
        Study to ``industry``, ``mixed``, ``non-industry`` or ``not reported``.
    publication_bias_note : str
        The reviewer's remarks, appended to the computed reason.
    indirectness : str or None
        The reviewer's judgment (one of JUDGMENTS); None when not entered.
    indirectness_reason : str
    awaiting : tuple of str
        Studies that may hold results for this outcome but give none yet (named in the
        publication-bias reason).
    """

    direction: str = "lower"
    mid: float | None = None
    mid_source: str = ""
    ois_alpha: float = 0.05
    ois_power: float = 0.80
    ois_delta: float | None = None
    ois_sd: float | None = None
    ois_control_risk: float | None = None
    small_study_n: int = 100
    funding: Mapping[str, str] = field(default_factory=dict)
    publication_bias_note: str = ""
    indirectness: str | None = None
    indirectness_reason: str = ""
    awaiting: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GradeDomain:
    """One downgrading domain: the suggestion computed from the analysis and the decision.

    ``suggested`` is None when no suggestion can be computed (e.g. no risk-of-bias
    judgments); ``decision`` is the judgment that counts (the suggestion when accepted),
    None when neither exists.
    """

    name: str
    suggested: str | None
    suggested_reason: str
    decision: str | None
    decision_reason: str

    @property
    def label(self) -> str:
        """Human label ("Risk of bias")."""
        return DOMAIN_LABELS.get(self.name, self.name)

    @property
    def overridden(self) -> bool:
        """The reviewer's decision differs from the suggestion."""
        return self.decision != self.suggested

    @property
    def downgrade(self) -> int:
        """Levels removed (0 when no decision)."""
        return 0 if self.decision is None else JUDGMENTS[self.decision]

    def footnote(self) -> str:
        """The explanation a Summary of Findings prints for this domain."""
        if self.decision is None:
            return f"{self.label}: not judged. {self.suggested_reason}"
        levels = _LEVEL_WORDS.get(self.downgrade)
        head = f"{self.label}: {self.decision}" + (
            f", downgraded {levels}" if levels else ", not downgraded")
        if not self.overridden:
            tail = f" {self.decision_reason}" if self.decision_reason else ""
            return f"{head}. {self.suggested_reason}{tail}"
        return (f"{head}. {self.decision_reason} (Suggested from the analysis: "
                f"{self.suggested or 'none'}; {self.suggested_reason})")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"name": self.name, "suggested": self.suggested,
                "suggested_reason": self.suggested_reason, "decision": self.decision,
                "decision_reason": self.decision_reason, "overridden": self.overridden,
                "downgrade": self.downgrade}


@dataclass(frozen=True, slots=True)
class GradeAssessment:
    """GRADE certainty of one outcome (on one measure).

    Attributes
    ----------
    outcome, measure : str
    start : str
        ``High`` (randomized trials) or ``Low`` (non-randomized studies).
    domains : tuple of GradeDomain
        The five domains in :data:`DOMAINS` order.
    certainty : str
        One of :data:`CERTAINTY`.
    symbols : str
        ``⊕⊕⊕⊕`` ... ``⊕◯◯◯``.
    footnotes : tuple of str
        An explanation for every domain downgraded, overridden or not judged.
    """

    outcome: str
    measure: str
    start: str
    domains: tuple[GradeDomain, ...]
    certainty: str
    symbols: str
    footnotes: tuple[str, ...]

    def domain(self, name: str) -> GradeDomain:
        """The domain called ``name`` (KeyError if none)."""
        for d in self.domains:
            if d.name == name:
                return d
        raise KeyError(name)

    @property
    def downgrades(self) -> int:
        """Levels removed in all."""
        return sum(d.downgrade for d in self.domains)

    @property
    def incomplete(self) -> tuple[str, ...]:
        """Domains with neither a suggestion nor a decision."""
        return tuple(d.name for d in self.domains if d.decision is None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"outcome": self.outcome, "measure": self.measure, "start": self.start,
                "domains": [d.to_dict() for d in self.domains],
                "certainty": self.certainty, "symbols": self.symbols,
                "downgrades": self.downgrades, "incomplete": list(self.incomplete),
                "footnotes": list(self.footnotes)}
