"""Read and check ``studies.csv`` and the data tables, cell by cell.

Cells are read as text (stdlib :mod:`csv`) so that every message can quote the value as
the reviewer typed it. Empty cells and ``NA`` are missing.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence

from livingmeta.review.problems import ReviewProblem
from livingmeta.review.spec import (
    DATA_TYPES,
    DESIGNS,
    REPORTED_MEASURES,
    STATUSES,
    DataRow,
    Outcome,
    Study,
)

__all__ = ["DATA_COLUMNS", "NUMERIC_DATA_COLUMNS", "STUDY_COLUMNS", "parse_data",
           "parse_studies", "read_csv"]

MISSING = ("", "NA", "N/A", "na")
STUDY_COLUMNS = ("study", "year", "design", "randomized", "dose_mg", "status", "reason",
                 "n_randomized", "citation", "source_url")
_STUDY_REQUIRED = ("study", "year", "design", "randomized", "status")
#: Numeric cells of a data row (metafor's names) and the rule each must satisfy.
NUMERIC_DATA_COLUMNS: dict[str, str] = {
    "n1i": "count", "n2i": "count", "ni": "count",
    "m1i": "real", "m2i": "real", "sd1i": "positive", "sd2i": "positive",
    "ai": "count0", "bi": "count0", "ci": "count0", "di": "count0",
    "yi": "real", "ci_lb": "real", "ci_ub": "real", "sei": "positive",
    "pval": "probability", "df": "positive", "ri": "correlation",
}
_TEXT_DATA_COLUMNS = ("study", "outcome", "data_type", "reported_measure", "scale",
                      "used_for", "sign", "source_url", "source_quote", "derived",
                      "source_rows", "notes", "timepoint")
DATA_COLUMNS = (*_TEXT_DATA_COLUMNS, *NUMERIC_DATA_COLUMNS)
_DATA_REQUIRED = ("study", "outcome", "data_type", "reported_measure", "source_url",
                  "source_quote", "derived", "source_rows")


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV text (cells stripped; BOM tolerated)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = [r for r in reader]
    if not rows:
        return [], []
    header = [h.strip() for h in rows[0]]
    out = []
    for r in rows[1:]:
        if not any(cell.strip() for cell in r):
            continue
        out.append({h: (r[i].strip() if i < len(r) else "") for i, h in enumerate(header)})
    return header, out


class _Cells:
    """Typed access to one CSV row that records a problem for every bad cell."""

    def __init__(self, file: str, row: int, study: str | None, cells: Mapping[str, str],
                 problems: list[ReviewProblem]):
        self.file, self.row, self.study, self.cells = file, row, study, cells
        self.problems = problems

    def bad(self, column: str | None, value: object, rule: str) -> None:
        self.problems.append(ReviewProblem(self.row, self.study, column, value, rule,
                                           file=self.file))

    def text(self, column: str) -> str:
        value = self.cells.get(column, "")
        return "" if value in MISSING else value

    def number(self, column: str) -> float | None:
        raw = self.text(column)
        if raw == "":
            return None
        try:
            value = float(raw)
        except ValueError:
            self.bad(column, raw, "must be a number")
            return None
        if not math.isfinite(value):
            self.bad(column, raw, "must be a finite number")
            return None
        return value

    def integer(self, column: str, minimum: int) -> int | None:
        value = self.number(column)
        if value is None:
            return None
        if value != int(value) or value < minimum:
            self.bad(column, self.text(column), f"must be a whole number >= {minimum}")
            return None
        return int(value)

    def boolean(self, column: str) -> bool | None:
        raw = self.text(column).lower()
        if raw in ("true", "yes", "1"):
            return True
        if raw in ("false", "no", "0"):
            return False
        self.bad(column, self.text(column) or None, "must be true or false")
        return None

    def choice(self, column: str, choices: Sequence[str]) -> str:
        value = self.text(column)
        if value not in choices:
            shown = ", ".join(repr(c) for c in choices)
            self.bad(column, value or None, f"must be one of {{{shown}}}")
        return value


def _missing_columns(file: str, header: Sequence[str], required: Sequence[str],
                     known: Sequence[str] | None, problems: list[ReviewProblem]) -> bool:
    missing = [c for c in required if c not in header]
    for c in missing:
        problems.append(ReviewProblem(None, None, c, None, "is a required column; add it",
                                      file=file, where="header"))
    if known is not None:
        for c in header:
            if c not in known:
                problems.append(ReviewProblem(
                    None, None, c, None,
                    "is not a known column (see FORMAT.md; a typo of a metafor name?)",
                    file=file, where="header"))
    return not missing


def parse_studies(text: str, file: str, problems: list[ReviewProblem]) -> tuple[Study, ...]:
    """Studies of ``studies.csv``; problems are appended to ``problems``."""
    header, rows = read_csv(text)
    if not _missing_columns(file, header, _STUDY_REQUIRED, None, problems):
        return ()
    out: list[Study] = []
    seen: set[str] = set()
    for i, cells in enumerate(rows, start=1):
        name = cells.get("study", "")
        c = _Cells(file, i, name or None, cells, problems)
        if not name:
            c.bad("study", None, "must be given")
        elif name in seen:
            c.bad("study", name, "must be unique in studies.csv")
        seen.add(name)
        design = c.choice("design", DESIGNS)
        randomized = c.boolean("randomized")
        status = c.choice("status", STATUSES)
        if design == "non-randomized" and randomized:
            c.bad("randomized", c.text("randomized"),
                  "must be false for design 'non-randomized'")
        if status in ("excluded", "awaiting-data", "sensitivity-only") and not c.text("reason"):
            c.bad("reason", None, f"must say why for status {status!r}")
        dose = c.number("dose_mg")
        if dose is not None and dose <= 0:
            c.bad("dose_mg", c.text("dose_mg"), "must be > 0")
        out.append(Study(
            row=i, study=name, year=c.integer("year", 1000) or 0, design=design,
            randomized=bool(randomized), dose_mg=dose, status=status,
            reason=c.text("reason"), n_randomized=c.integer("n_randomized", 1),
            citation=c.text("citation"), source_url=c.text("source_url"),
            extra={k: v for k, v in cells.items() if k not in STUDY_COLUMNS},
        ))
    return tuple(out)


def _check_number(c: _Cells, name: str, value: float, rule: str) -> None:
    raw = c.text(name)
    if rule == "count" and (value != int(value) or value < 1):
        c.bad(name, raw, "must be a whole number >= 1")
    elif rule == "count0" and (value != int(value) or value < 0):
        c.bad(name, raw, "must be a whole number >= 0")
    elif rule == "positive" and value <= 0:
        c.bad(name, value, "must be > 0")
    elif rule == "probability" and not 0.0 < value <= 1.0:
        c.bad(name, value, "must be in (0, 1]")
    elif rule == "correlation" and not -1.0 <= value <= 1.0:
        c.bad(name, value, "must be in [-1, 1]")


def _source_rows(c: _Cells, n_record: int | None) -> tuple[int, ...]:
    raw = c.text("source_rows")
    if not raw:
        c.bad("source_rows", None, "must list the record rows the numbers come from")
        return ()
    out: list[int] = []
    for part in raw.replace(",", ";").replace(" ", ";").split(";"):
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            c.bad("source_rows", raw, "must be row numbers (1-based) separated by ';'")
            return ()
        if n_record is not None and int(part) > n_record:
            c.bad("source_rows", raw, f"must be rows of the record (1 to {n_record})")
            return ()
        out.append(int(part))
    return tuple(out)


def _values(c: _Cells) -> dict[str, float]:
    values: dict[str, float] = {}
    for name, rule in NUMERIC_DATA_COLUMNS.items():
        value = c.number(name)
        if value is not None:
            _check_number(c, name, value, rule)
            values[name] = value
    return values


def _check_inputs(c: _Cells, data_type: str, reported: str, v: Mapping[str, float],
                  sign: int | None) -> None:
    """The cells each kind of row needs, and their mutual consistency."""
    def need(*names: str) -> None:
        for n in names:
            if n not in v:
                c.bad(n, None, f"must be given for data_type {data_type!r} "
                               f"with reported_measure {reported!r}")
    if data_type == "arm" and reported == "means":
        need("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
    elif data_type == "arm" and reported == "events":
        need("ai", "ci")
        for ev, non, n in (("ai", "bi", "n1i"), ("ci", "di", "n2i")):
            if non not in v and n not in v:
                c.bad(n, None, f"(or {non}) must be given with {ev}")
            if ev in v and n in v and v[ev] > v[n]:
                c.bad(ev, v[ev], f"must be <= {n} ({v[n]:g})")
    elif data_type == "contrast":
        need("n1i", "n2i")
        if reported == "p-value":
            need("pval")
        else:
            need("yi")
            if reported in ("MD", "adjusted MD") and not (
                    "sei" in v or "pval" in v or ("ci_lb" in v and "ci_ub" in v)):
                c.bad("sei", None, "(or ci_lb and ci_ub, or pval) must be given for an MD")
    elif data_type == "paired-contrast":
        need("ni")
        if not ("pval" in v or "sei" in v or ("ci_lb" in v and "ci_ub" in v)):
            c.bad("pval", None, "(or sei, or ci_lb and ci_ub) must be given")
        if "yi" not in v and sign is None:
            c.bad("sign", None, "must be -1 or 1 when yi is not given (direction of the "
                                "treatment - control difference)")
    if "ci_lb" in v and "ci_ub" in v:
        if v["ci_ub"] <= v["ci_lb"]:
            c.bad("ci_ub", v["ci_ub"], f"must be > ci_lb ({v['ci_lb']:g})")
        elif "yi" in v and not v["ci_lb"] <= v["yi"] <= v["ci_ub"]:
            c.bad("yi", v["yi"], f"must lie within [ci_lb, ci_ub] = "
                                 f"[{v['ci_lb']:g}, {v['ci_ub']:g}]")
    if sign is not None and "yi" in v and v["yi"] != 0 and (v["yi"] > 0) != (sign > 0):
        c.bad("sign", sign, f"must agree with the sign of yi ({v['yi']:g})")


def parse_data(text: str, file: str, outcomes: Mapping[str, Outcome],
               studies: Mapping[str, Study], n_record: int | None,
               problems: list[ReviewProblem]) -> tuple[DataRow, ...]:
    """Rows of one data table; problems are appended to ``problems``."""
    header, rows = read_csv(text)
    if not _missing_columns(file, header, _DATA_REQUIRED, DATA_COLUMNS, problems):
        return ()
    out: list[DataRow] = []
    for i, cells in enumerate(rows, start=1):
        name = cells.get("study", "")
        c = _Cells(file, i, name or None, cells, problems)
        if not name:
            c.bad("study", None, "must be given")
        elif studies and name not in studies:
            c.bad("study", name, "must be a study listed in studies.csv")
        elif name in studies and studies[name].status in ("excluded", "awaiting-data"):
            c.bad("study", name, f"is {studies[name].status!r} in studies.csv: remove its "
                                 "data rows or change its status")
        oid = c.text("outcome")
        if outcomes and oid not in outcomes:
            c.bad("outcome", oid or None,
                  f"must be an outcome id of review.toml ({', '.join(sorted(outcomes))})")
        data_type = c.choice("data_type", DATA_TYPES)
        reported = c.text("reported_measure")
        if data_type in REPORTED_MEASURES:
            c.choice("reported_measure", REPORTED_MEASURES[data_type])
        used_for = tuple(u for u in c.text("used_for").replace(";", " ").split() if u)
        if oid in outcomes:
            for u in used_for:
                if u not in outcomes[oid].measures:
                    c.bad("used_for", u, f"must be measures of outcome {oid!r} "
                                         f"({' '.join(outcomes[oid].measures)})")
        sign_raw = c.text("sign")
        sign = None
        if sign_raw:
            if sign_raw in ("-1", "1", "+1"):
                sign = int(sign_raw)
            else:
                c.bad("sign", sign_raw, "must be -1 or 1")
        values = _values(c)
        if data_type in DATA_TYPES and reported in REPORTED_MEASURES.get(data_type, ()):
            _check_inputs(c, data_type, reported, values, sign)
        for column in ("source_url", "source_quote"):
            if not c.text(column):
                c.bad(column, None, "must be given (provenance of the numbers)")
        derived = c.boolean("derived")
        out.append(DataRow(
            file=file, row=i, study=name, outcome=oid, data_type=data_type,
            reported_measure=reported, scale=c.text("scale"), used_for=used_for,
            values=values, sign=sign, source_url=c.text("source_url"),
            source_quote=c.text("source_quote"), derived=bool(derived),
            source_rows=_source_rows(c, n_record), notes=c.text("notes"),
        ))
    return tuple(out)
