"""Study tables: reading user tables and checking them at the boundary.

A :class:`StudyTable` is a checked, immutable view of one table of studies, with columns
named as metafor names them (``ai``, ``n1i``, ``m1i``, ``yi``, ...). Users may write
descriptive aliases (``events_treatment``, ``mean_control``, ...): :data:`COLUMN_ALIASES`
lists them all and the README documents them. Columns that are neither canonical nor
aliases are kept as covariates (usable for subgroups and moderators).

Every problem found while reading is collected and raised once as
:class:`~livingmeta.errors.DataValidationError` (STYLE.md, convention 7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from livingmeta.errors import DataValidationError, Problem

__all__ = [
    "COLUMN_ALIASES",
    "NUMERIC_COLUMNS",
    "StudyTable",
    "read_study_table",
    "study_table_from_frame",
]

#: Canonical numeric columns (metafor's names) and what each holds.
NUMERIC_COLUMNS: dict[str, str] = {
    "ai": "events in the treatment group (2x2 cell a)",
    "bi": "non-events in the treatment group (2x2 cell b)",
    "ci": "events in the control group (2x2 cell c)",
    "di": "non-events in the control group (2x2 cell d)",
    "n1i": "sample size of the treatment group",
    "n2i": "sample size of the control group",
    "m1i": "mean in the treatment group (or first measurement, paired designs)",
    "m2i": "mean in the control group (or second measurement, paired designs)",
    "sd1i": "standard deviation in the treatment group",
    "sd2i": "standard deviation in the control group",
    "x1i": "event count in the treatment group (rates)",
    "x2i": "event count in the control group (rates)",
    "t1i": "person-time in the treatment group (rates)",
    "t2i": "person-time in the control group (rates)",
    "ri": "correlation (COR/ZCOR) or within-person correlation (paired designs)",
    "ni": "total sample size (correlations, paired designs, p-value conversions)",
    "yi": "observed effect size (generic input)",
    "vi": "sampling variance of yi",
    "sei": "standard error of yi",
    "ci_lb": "lower confidence limit of yi",
    "ci_ub": "upper confidence limit of yi",
    "pval": "two-sided p-value of yi",
    "df": "degrees of freedom for t-based conversions",
    "med1i": "median in the treatment group",
    "med2i": "median in the control group",
    "q1_1i": "first quartile in the treatment group",
    "q3_1i": "third quartile in the treatment group",
    "q1_2i": "first quartile in the control group",
    "q3_2i": "third quartile in the control group",
    "min1i": "minimum in the treatment group",
    "max1i": "maximum in the treatment group",
    "min2i": "minimum in the control group",
    "max2i": "maximum in the control group",
}

#: Descriptive aliases accepted in user tables, mapped to canonical names.
COLUMN_ALIASES: dict[str, str] = {
    "label": "study",
    "study_label": "study",
    "events_treatment": "ai",
    "nonevents_treatment": "bi",
    "events_control": "ci",
    "nonevents_control": "di",
    "n_treatment": "n1i",
    "n_control": "n2i",
    "mean_treatment": "m1i",
    "mean_control": "m2i",
    "sd_treatment": "sd1i",
    "sd_control": "sd2i",
    "count_treatment": "x1i",
    "count_control": "x2i",
    "time_treatment": "t1i",
    "time_control": "t2i",
    "correlation": "ri",
    "n": "ni",
    "n_total": "ni",
    "effect": "yi",
    "variance": "vi",
    "se": "sei",
    "ci_low": "ci_lb",
    "ci_high": "ci_ub",
    "p_value": "pval",
    "median_treatment": "med1i",
    "median_control": "med2i",
}


@dataclass(frozen=True, slots=True)
class StudyTable:
    """A checked table of studies.

    Attributes
    ----------
    study : tuple of str
        Study labels, one per row (``"Study <row>"`` where the table has none).
    columns : Mapping[str, numpy.ndarray]
        Numeric columns under their canonical names (float arrays, NaN where empty).
    covariates : Mapping[str, numpy.ndarray]
        Every other column, as read (object arrays), for subgroups and moderators.
    source : str
        Where the table came from (a path or ``"<frame>"``), for messages.
    """

    study: tuple[str, ...]
    columns: Mapping[str, np.ndarray]
    covariates: Mapping[str, np.ndarray]
    source: str

    @property
    def k(self) -> int:
        """Number of rows."""
        return len(self.study)

    def has(self, name: str) -> bool:
        """Whether a canonical numeric column is present with at least one value."""
        col = self.columns.get(name)
        return col is not None and bool(np.any(~np.isnan(col)))

    def numeric(self, names: Iterable[str]) -> dict[str, np.ndarray]:
        """The present numeric columns among ``names``, by canonical name."""
        return {n: self.columns[n] for n in names if n in self.columns}

    def covariate(self, name: str) -> np.ndarray:
        """A covariate or numeric column by name (raises KeyError when absent)."""
        if name in self.covariates:
            return self.covariates[name]
        return self.columns[name]

    def column_names(self) -> tuple[str, ...]:
        """Every column name available: canonical numeric columns then covariates."""
        return (*self.columns, *self.covariates)


def read_study_table(path: str | Path) -> StudyTable:
    """Read a CSV file of studies and check it.

    Parameters
    ----------
    path : str or Path
        A comma-separated file with a header row. Column names are matched
        case-insensitively after trimming; aliases in :data:`COLUMN_ALIASES` are accepted.

    Raises
    ------
    DataValidationError
        When the file is missing, empty, unreadable, or any cell is invalid; all
        problems are listed at once.
    """
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(
            [Problem(None, None, None, None, f"file {str(path)!r} does not exist")]
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise DataValidationError(
            [Problem(None, None, None, None, f"file {str(path)!r} is empty")]
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataValidationError(
            [Problem(None, None, None, None, f"file {str(path)!r} is not valid CSV: {first}")]
        ) from None
    return study_table_from_frame(frame, source=str(path))


_MISSING = {"", "na", "nan", "null", "none", "."}


def _canonical_name(raw: object) -> str:
    name = str(raw).strip()
    lowered = name.lower()
    if lowered in NUMERIC_COLUMNS or lowered == "study":
        return lowered
    return COLUMN_ALIASES.get(lowered, name)


def _parse_numeric(
    values: np.ndarray, field: str, labels: tuple[str, ...], problems: list[Problem]
) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, raw in enumerate(values):
        text = "" if raw is None else str(raw).strip()
        if text.lower() in _MISSING:
            continue
        try:
            out[i] = float(text)
        except ValueError:
            problems.append(Problem(i + 1, labels[i], field, text, "must be a number"))
            continue
        if not np.isfinite(out[i]):
            problems.append(Problem(i + 1, labels[i], field, text, "must be a finite number"))
            out[i] = np.nan
    return out


def study_table_from_frame(frame: pd.DataFrame, *, source: str = "<frame>") -> StudyTable:
    """Check a pandas DataFrame of studies and return a :class:`StudyTable`.

    Cells may be strings or numbers; empty cells and ``NA`` are missing values.
    """
    problems: list[Problem] = []
    names = [_canonical_name(c) for c in frame.columns]
    seen: dict[str, str] = {}
    for raw, name in zip(frame.columns, names, strict=True):
        if name in seen:
            problems.append(
                Problem(None, None, name, None,
                        f"column {str(raw)!r} duplicates column {seen[name]!r} "
                        f"(both mean {name!r})")
            )
        seen.setdefault(name, str(raw))
    if frame.shape[0] == 0:
        problems.append(Problem(None, None, None, None, f"{source}: the table has no data rows"))
    if problems:
        raise DataValidationError(problems)

    frame = frame.set_axis(names, axis=1)
    if "study" in frame.columns:
        raw_labels = [str(v).strip() for v in frame["study"].tolist()]
        labels = tuple(
            lab if lab and lab.lower() not in _MISSING else f"Study {i + 1}"
            for i, lab in enumerate(raw_labels)
        )
    else:
        labels = tuple(f"Study {i + 1}" for i in range(frame.shape[0]))

    columns: dict[str, np.ndarray] = {}
    covariates: dict[str, np.ndarray] = {}
    for name in frame.columns:
        if name == "study":
            continue
        values = frame[name].to_numpy(dtype=object)
        if name in NUMERIC_COLUMNS:
            columns[name] = _parse_numeric(values, name, labels, problems)
        else:
            covariates[name] = np.array(
                [None if (v is None or str(v).strip().lower() in _MISSING) else
                 (v.strip() if isinstance(v, str) else v) for v in values],
                dtype=object,
            )
    if problems:
        raise DataValidationError(problems)
    return StudyTable(study=labels, columns=columns, covariates=covariates, source=source)
