"""Parse and check ``review.toml`` (stdlib :mod:`tomllib`), collecting every problem."""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from livingmeta.review._living_plan import parse_living_plan
from livingmeta.review.problems import ReviewProblem
from livingmeta.review.profiles import PROFILES
from livingmeta.review.spec import (
    DIRECTIONS,
    OUTCOME_MEASURES,
    SENSITIVITY_KINDS,
    AnalysisPlan,
    Outcome,
    Question,
    ReviewInfo,
    SensitivitySpec,
)

__all__ = ["TomlContent", "parse_review_toml"]

FILE = "review.toml"
_ANY = object()


@dataclass(frozen=True, slots=True)
class TomlContent:
    """What ``review.toml`` declares (None where it could not be read)."""

    info: ReviewInfo | None
    outcomes: tuple[Outcome, ...]
    analysis: AnalysisPlan | None
    tables: tuple[str, ...]
    record: str | None
    record_study_column: str
    published: str | None
    problems: tuple[ReviewProblem, ...] = field(default=())


class _Checker:
    def __init__(self) -> None:
        self.problems: list[ReviewProblem] = []

    def bad(self, where: str, key: str | None, value: object, rule: str) -> None:
        self.problems.append(ReviewProblem(None, None, key, value, rule, file=FILE,
                                           where=where))

    def get(self, table: Mapping[str, Any], where: str, key: str, kind: type | tuple[type, ...],
            default: object = _ANY) -> Any:
        if key not in table:
            if default is _ANY:
                self.bad(where, key, None, "must be given")
                return None
            return default
        value = table[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            self.bad(where, key, value, "must be a number")
            return None if default is _ANY else default
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(
                k.__name__ for k in kind)
            self.bad(where, key, value, f"must be of type {names}")
            return None if default is _ANY else default
        return value

    def strings(self, table: Mapping[str, Any], where: str, key: str) -> tuple[str, ...]:
        value = self.get(table, where, key, list, [])
        if value is None:
            return ()
        if not all(isinstance(v, str) for v in value):
            self.bad(where, key, value, "must be a list of strings")
            return ()
        return tuple(value)

    def numbers(self, table: Mapping[str, Any], where: str, key: str,
                default: list[float]) -> tuple[float, ...]:
        value = self.get(table, where, key, list, default)
        if value is None:
            return ()
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            self.bad(where, key, value, "must be a list of numbers")
            return ()
        return tuple(float(v) for v in value)

    def choice(self, where: str, key: str, value: Any, choices: tuple[str, ...]) -> None:
        if value is not None and value not in choices:
            shown = ", ".join(repr(c) for c in choices)
            self.bad(where, key, value, f"must be one of {{{shown}}}")


def _toml_error(exc: tomllib.TOMLDecodeError) -> ReviewProblem:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    where = f"line {m.group(1)}, column {m.group(2)}" if m else None
    text = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
    return ReviewProblem(None, None, None, None, f"invalid TOML: {text}", file=FILE,
                         where=where)


def _info(c: _Checker, doc: Mapping[str, Any]) -> ReviewInfo | None:
    review = c.get(doc, "[review]", "review", dict)
    if review is None:
        return None
    where = "[review]"
    q = c.get(review, where, "question", dict) or {}
    qw = "[review.question]"
    pico = [c.get(q, qw, k, str, "") or "" for k in
            ("population", "intervention", "comparator", "outcomes")]
    question = Question(pico[0], pico[1], pico[2], pico[3],
                        intervention_label=c.get(q, qw, "intervention_label", str,
                                                 "intervention") or "intervention",
                        comparator_label=c.get(q, qw, "comparator_label", str,
                                               "comparator") or "comparator")
    for key in ("population", "intervention", "comparator"):
        if q and not q.get(key):
            c.bad(qw, key, None, "must be given (PICO)")
    date = c.get(review, where, "date", (str, datetime.date))
    return ReviewInfo(
        title=c.get(review, where, "title", str) or "",
        version=str(c.get(review, where, "version", (str, int, float)) or ""),
        date="" if date is None else str(date),
        question=question,
        authors=c.strings(review, where, "authors"),
        summary=c.get(review, where, "summary", str, "") or "",
    )


def _outcomes(c: _Checker, doc: Mapping[str, Any]) -> tuple[Outcome, ...]:
    raw = c.get(doc, "[[outcomes]]", "outcomes", list)
    if not raw:
        if raw is not None:
            c.bad("[[outcomes]]", None, None, "at least one [[outcomes]] table is needed")
        return ()
    out: list[Outcome] = []
    for i, o in enumerate(raw, start=1):
        where = f"[[outcomes]] {i}"
        if not isinstance(o, dict):
            c.bad(where, None, o, "each [[outcomes]] entry must be a table")
            continue
        oid = c.get(o, where, "id", str)
        where = f"[[outcomes]] {i}" + (f" (id {oid!r})" if oid else "")
        measure = c.get(o, where, "measure", str)
        c.choice(where, "measure", measure, OUTCOME_MEASURES)
        extra = c.strings(o, where, "extra_measures")
        for m in extra:
            c.choice(where, "extra_measures", m, OUTCOME_MEASURES)
        direction = c.get(o, where, "direction", str)
        c.choice(where, "direction", direction, DIRECTIONS)
        out.append(Outcome(
            id=oid or "", label=c.get(o, where, "label", str, oid) or "",
            measure=measure or "", extra_measures=extra, direction=direction or "",
            scale=c.get(o, where, "scale", str, "") or "",
            pool=bool(c.get(o, where, "pool", bool, True)),
            primary=bool(c.get(o, where, "primary", bool, False)),
            published_labels=c.strings(o, where, "published_labels"),
        ))
    ids = [o.id for o in out]
    for dup in sorted({i for i in ids if ids.count(i) > 1 and i}):
        c.bad("[[outcomes]]", "id", dup, "must be unique")
    n_primary = sum(o.primary for o in out)
    if out and n_primary != 1:
        c.bad("[[outcomes]]", "primary", n_primary,
              "must be true for exactly one outcome (count of primary outcomes)")
    return tuple(out)


def _sensitivity(c: _Checker, analysis: Mapping[str, Any], ri_values: tuple[float, ...],
                 ) -> tuple[SensitivitySpec, ...]:
    raw = c.get(analysis, "[analysis]", "sensitivity", list, [])
    out: list[SensitivitySpec] = []
    for i, s in enumerate(raw or [], start=1):
        where = f"[[analysis.sensitivity]] {i}"
        if not isinstance(s, dict):
            c.bad(where, None, s, "each entry must be a table")
            continue
        kind = c.get(s, where, "kind", str)
        c.choice(where, "kind", kind, SENSITIVITY_KINDS)
        values = c.numbers(s, where, "values", list(ri_values))
        for v in values:
            if not -1.0 <= v <= 1.0:
                c.bad(where, "values", v, "must be correlations in [-1, 1]")
        out.append(SensitivitySpec(
            id=c.get(s, where, "id", str, f"{kind}-{i}") or f"sensitivity-{i}",
            kind=kind or "", label=c.get(s, where, "label", str, kind) or "",
            values=values if kind == "vary-ri" else (),
            outcomes=c.strings(s, where, "outcomes"),
        ))
    return tuple(out)


def _analysis(c: _Checker, doc: Mapping[str, Any],
              outcomes: tuple[Outcome, ...]) -> AnalysisPlan | None:
    analysis = c.get(doc, "[analysis]", "analysis", dict)
    if analysis is None:
        return None
    where = "[analysis]"
    names = tuple(PROFILES)
    primary = c.get(analysis, where, "primary_profile", str)
    c.choice(where, "primary_profile", primary, names)
    profiles = c.strings(analysis, where, "profiles") or names
    for p in profiles:
        c.choice(where, "profiles", p, names)
    ri = c.get(analysis, where, "ri", (int, float), 0.5)
    if ri is not None and not -1.0 <= ri <= 1.0:
        c.bad(where, "ri", ri, "must be a correlation in [-1, 1]")
    ri_values = c.numbers(analysis, where, "ri_values", [0.2, 0.5, 0.8])
    for v in ri_values:
        if not -1.0 <= v <= 1.0:
            c.bad(where, "ri_values", v, "must be correlations in [-1, 1]")
    order = c.get(analysis, where, "cumulative_order", str, "year")
    c.choice(where, "cumulative_order", order, ("year",))
    level = c.get(analysis, where, "level", float, 0.95)
    if level is not None and not 0.0 < level < 1.0:
        c.bad(where, "level", level, "must be a fraction in (0, 1)")
    return AnalysisPlan(
        primary_profile=primary or "",
        profiles=tuple(dict.fromkeys((*profiles, primary) if primary else profiles)),
        ri=float(ri if ri is not None else 0.5), ri_values=ri_values,
        subgroups=c.strings(analysis, where, "subgroups"),
        cumulative_order=order or "year",
        sensitivity=_sensitivity(c, analysis, ri_values),
        level=float(level or 0.95),
        living=parse_living_plan(c, analysis, tuple(o.id for o in outcomes),
                                 next((o.id for o in outcomes if o.primary), None)),
    )


def parse_review_toml(text: str) -> TomlContent:
    """Parse the text of ``review.toml``; every problem is in ``problems``."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return TomlContent(None, (), None, (), None, "study_id", None, (_toml_error(exc),))
    c = _Checker()
    known = {"review", "sources", "data", "outcomes", "analysis", "searches"}
    for key in doc:
        if key not in known:
            c.bad("top level", key, None, f"is not a known table (known: {sorted(known)})")
    info = _info(c, doc)
    outcomes = _outcomes(c, doc)
    analysis = _analysis(c, doc, outcomes)
    sources = c.get(doc, "[sources]", "sources", dict, {}) or {}
    data = c.get(doc, "[data]", "data", dict, {}) or {}
    tables = c.strings(data, "[data]", "tables") or ("data.csv",)
    for spec in (analysis.sensitivity if analysis else ()):
        for oid in spec.outcomes:
            if oid not in {o.id for o in outcomes}:
                c.bad(f"[[analysis.sensitivity]] (id {spec.id!r})", "outcomes", oid,
                      "must name outcome ids declared in [[outcomes]]")
    return TomlContent(
        info=info, outcomes=outcomes, analysis=analysis, tables=tables,
        record=c.get(sources, "[sources]", "record", str, None),
        record_study_column=c.get(sources, "[sources]", "record_study_column", str,
                                  "study_id") or "study_id",
        published=c.get(sources, "[sources]", "published", str, None),
        problems=tuple(c.problems),
    )
