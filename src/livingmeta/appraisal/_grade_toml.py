"""Read and check a review's ``grade.toml``: GRADE settings, SoF inputs and decisions.

Every problem is collected and raised once as a
:class:`~livingmeta.review.problems.ReviewValidationError`, each naming the file, the
table and the key::

    grade.toml [outcomes.pain]: mid must be > 0, got -0.2
    grade.toml [outcomes.pain.decisions]: imprecision.judgment must be one of {...}, got 'x'

The layout (all keys optional; the LDN review's file is a worked example)::

    [defaults]                      ois_alpha, ois_power, small_study_n
    [funding]                       "<study>" = "industry" | "mixed" | "non-industry" |
                                    "not reported"
    [outcomes.<id>]                 measure, design, mid, mid_source, ois_delta, ois_sd,
                                    ois_control_risk, small_study_n, indirectness,
                                    indirectness_reason, publication_bias_note, awaiting,
                                    follow_up, comment
    [outcomes.<id>.sof]             scale, representative_sd, sd_source, baseline_risk,
                                    baseline_source
    [outcomes.<id>.decisions]       <domain> = { judgment = "accept" | "not serious" |
                                    "serious" | "very serious", reason = "..." }
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livingmeta.appraisal._grade_types import (
    DOMAINS,
    GRADE_DESIGNS,
    JUDGMENTS,
    Decision,
    GradeSettings,
)
from livingmeta.review.problems import ReviewProblem, ReviewValidationError
from livingmeta.review.spec import Review

__all__ = ["FUNDING", "GradeInputs", "OutcomeGradeInputs", "SofSettings", "load_grade"]

FILE = "grade.toml"
#: Funding categories of ``[funding]``.
FUNDING = ("industry", "mixed", "non-industry", "not reported")
_OUTCOME_KEYS = {"measure", "design", "mid", "mid_source", "ois_delta", "ois_sd",
                 "ois_control_risk", "small_study_n", "indirectness", "indirectness_reason",
                 "publication_bias_note", "awaiting", "follow_up", "comment", "sof",
                 "decisions"}
_SOF_KEYS = {"scale", "representative_sd", "sd_source", "baseline_risk", "baseline_source"}
_DEFAULT_KEYS = {"ois_alpha", "ois_power", "small_study_n"}


@dataclass(frozen=True, slots=True)
class SofSettings:
    """What the Summary of Findings needs beyond the analysis, for one outcome.

    ``representative_sd`` (with ``scale`` and ``sd_source``) re-expresses an SMD on a named
    scale (Cochrane Handbook 15.5.3.2); ``baseline_risk`` replaces the pooled control-arm
    risk for absolute effects (Handbook 14.1.5).
    """

    follow_up: str = ""
    comment: str = ""
    scale: str = ""
    representative_sd: float | None = None
    sd_source: str = ""
    baseline_risk: float | None = None
    baseline_source: str = ""


@dataclass(frozen=True, slots=True)
class OutcomeGradeInputs:
    """The ``grade.toml`` entries of one outcome.

    ``measure`` is the measure GRADE rates (the outcome's main one unless declared);
    ``design`` None lets the analysis decide (randomized studies: RCT).
    """

    outcome: str
    measure: str
    design: str | None
    settings: GradeSettings
    decisions: Mapping[str, Decision]
    sof: SofSettings


@dataclass(frozen=True, slots=True)
class GradeInputs:
    """Everything ``grade.toml`` declares, per outcome id (None ``file``: no grade.toml)."""

    file: Path | None
    outcomes: Mapping[str, OutcomeGradeInputs] = field(default_factory=dict)

    def for_outcome(self, outcome: str) -> OutcomeGradeInputs | None:
        """The inputs of ``outcome``, or None when grade.toml has none."""
        return self.outcomes.get(outcome)


class _Check:
    def __init__(self) -> None:
        self.problems: list[ReviewProblem] = []

    def bad(self, where: str, key: str | None, value: object, rule: str) -> None:
        self.problems.append(ReviewProblem(None, None, key, value, rule, file=FILE,
                                           where=where or None))

    def unknown(self, where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(table) - allowed):
            self.bad(where, key, table[key], "is not a known key")

    def text(self, where: str, table: Mapping[str, Any], key: str) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.bad(where, key, value, "must be a string")
            return ""
        return value

    def number(self, where: str, table: Mapping[str, Any], key: str, *, low: float,
               high: float | None = None, integer: bool = False) -> Any:
        if key not in table:
            return None
        value = table[key]
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.bad(where, key, value, "must be an integer" if integer else "must be a number")
            return None
        if value <= low or (high is not None and value >= high):
            rule = f"must be > {low:g}" + ("" if high is None else f" and < {high:g}")
            self.bad(where, key, value, rule)
            return None
        return value if integer else float(value)

    def choice(self, where: str, key: str, value: object, choices: tuple[str, ...]) -> bool:
        if value not in choices:
            shown = ", ".join(repr(c) for c in choices)
            self.bad(where, key, value, f"must be one of {{{shown}}}")
            return False
        return True

    def table(self, where: str, parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = parent.get(key, {})
        if not isinstance(value, dict):
            self.bad(where, key, value, "must be a table")
            return {}
        return value


def _decisions(c: _Check, where: str, table: Mapping[str, Any]) -> dict[str, Decision]:
    out: dict[str, Decision] = {}
    for name, entry in table.items():
        if name not in DOMAINS:
            c.choice(where, name, name, DOMAINS)
            continue
        if not isinstance(entry, dict):
            c.bad(where, name, entry, "must be a table {judgment = ..., reason = ...}")
            continue
        c.unknown(where, {f"{name}.{k}": v for k, v in entry.items()},
                  {f"{name}.judgment", f"{name}.reason"})
        judgment = entry.get("judgment")
        ok = c.choice(where, f"{name}.judgment", judgment, ("accept", *JUDGMENTS))
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            c.bad(where, f"{name}.reason", reason, "must be a non-empty string")
            ok = False
        if ok:
            out[name] = Decision(None if judgment == "accept" else str(judgment),
                                 str(reason).strip())
    return out


def _outcome(c: _Check, review: Review, oid: str, table: Mapping[str, Any],
             defaults: Mapping[str, Any], funding: Mapping[str, str]) -> OutcomeGradeInputs:
    where = f"[outcomes.{oid}]"
    c.unknown(where, table, _OUTCOME_KEYS)
    outcome = review.outcome(oid)
    measure = table.get("measure", outcome.measure)
    if not c.choice(where, "measure", measure, outcome.measures):
        measure = outcome.measure
    design = table.get("design")
    if design is not None and not c.choice(where, "design", design, tuple(GRADE_DESIGNS)):
        design = None
    indirect = table.get("indirectness")
    if indirect is not None and not c.choice(where, "indirectness", indirect,
                                             tuple(JUDGMENTS)):
        indirect = None
    awaiting = table.get("awaiting", [])
    names = {s.study for s in review.studies}
    if not isinstance(awaiting, list) or not all(isinstance(a, str) for a in awaiting):
        c.bad(where, "awaiting", awaiting, "must be a list of study labels")
        awaiting = []
    for a in awaiting:
        if a not in names:
            c.bad(where, "awaiting", a, "must name a study of studies.csv")
    small_n = c.number(where, table, "small_study_n", low=0, integer=True)
    settings = GradeSettings(
        direction=outcome.direction, mid=c.number(where, table, "mid", low=0),
        mid_source=c.text(where, table, "mid_source"),
        ois_alpha=defaults["ois_alpha"], ois_power=defaults["ois_power"],
        ois_delta=c.number(where, table, "ois_delta", low=0),
        ois_sd=c.number(where, table, "ois_sd", low=0),
        ois_control_risk=c.number(where, table, "ois_control_risk", low=0, high=1),
        small_study_n=small_n if small_n is not None else defaults["small_study_n"],
        funding=dict(funding), publication_bias_note=c.text(where, table,
                                                            "publication_bias_note"),
        indirectness=indirect, indirectness_reason=c.text(where, table,
                                                          "indirectness_reason"),
        awaiting=tuple(awaiting))
    sof_where = f"[outcomes.{oid}.sof]"
    sof_table = c.table(where, table, "sof")
    c.unknown(sof_where, sof_table, _SOF_KEYS)
    sof = SofSettings(
        follow_up=c.text(where, table, "follow_up"), comment=c.text(where, table, "comment"),
        scale=c.text(sof_where, sof_table, "scale"),
        representative_sd=c.number(sof_where, sof_table, "representative_sd", low=0),
        sd_source=c.text(sof_where, sof_table, "sd_source"),
        baseline_risk=c.number(sof_where, sof_table, "baseline_risk", low=0, high=1),
        baseline_source=c.text(sof_where, sof_table, "baseline_source"))
    decisions = _decisions(c, f"[outcomes.{oid}.decisions]",
                           c.table(where, table, "decisions"))
    return OutcomeGradeInputs(oid, str(measure), design, settings, decisions, sof)


def _defaults(c: _Check, doc: Mapping[str, Any]) -> dict[str, Any]:
    table = c.table("[defaults]", doc, "defaults")
    c.unknown("[defaults]", table, _DEFAULT_KEYS)
    alpha = c.number("[defaults]", table, "ois_alpha", low=0, high=1)
    power = c.number("[defaults]", table, "ois_power", low=0, high=1)
    small = c.number("[defaults]", table, "small_study_n", low=0, integer=True)
    return {"ois_alpha": 0.05 if alpha is None else alpha,
            "ois_power": 0.80 if power is None else power,
            "small_study_n": 100 if small is None else small}


def _funding(c: _Check, doc: Mapping[str, Any], review: Review) -> dict[str, str]:
    table = c.table("[funding]", doc, "funding")
    names = {s.study for s in review.studies}
    out = {}
    for study, value in table.items():
        if study not in names:
            c.bad("[funding]", study, value, "is not a study of studies.csv")
        elif c.choice("[funding]", study, value, FUNDING):
            out[study] = str(value)
    return out


def load_grade(review_folder: str | Path, review: Review) -> GradeInputs:
    """Read ``grade.toml`` of a review folder (empty inputs when the file is absent).

    Raises
    ------
    ReviewValidationError
        Every problem of the file at once, each with its table and key.
    """
    path = Path(review_folder) / FILE
    if not path.is_file():
        return GradeInputs(None, {})
    c = _Check()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        c.bad("", None, None, f"invalid TOML: {exc}")
        raise ReviewValidationError(c.problems, str(review_folder)) from None
    c.unknown("", doc, {"defaults", "funding", "outcomes"})
    defaults = _defaults(c, doc)
    funding = _funding(c, doc, review)
    ids = {o.id for o in review.outcomes}
    outcomes = {}
    for oid, table in c.table("", doc, "outcomes").items():
        if oid not in ids:
            c.bad("[outcomes]", oid, None, "is not an outcome id of review.toml")
        elif not isinstance(table, dict):
            c.bad("[outcomes]", oid, table, "must be a table")
        else:
            outcomes[oid] = _outcome(c, review, oid, table, defaults, funding)
    if c.problems:
        raise ReviewValidationError(c.problems, str(review_folder))
    return GradeInputs(path, outcomes)
