"""Problems found in a review folder, located by file, row (or TOML place) and column.

A :class:`ReviewProblem` is an :class:`~livingmeta.errors.Problem` that also names the
file, so that one message points a reviewer at the cell to fix::

    data.csv row 4 (study 'FINAL 2024'): sd1i must be > 0, got -1.6
    review.toml line 7: invalid TOML: Expected '=' after a key in a key/value pair
    review.toml [analysis]: primary_profile must be one of {'cochrane-2025', ...}, got 'x'

Every problem of a folder is collected first and raised once as
:class:`ReviewValidationError` (a :class:`~livingmeta.errors.DataValidationError`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from livingmeta.errors import DataValidationError, Problem

__all__ = ["ReviewProblem", "ReviewValidationError"]


@dataclass(frozen=True, slots=True)
class ReviewProblem(Problem):
    """One located problem in a review folder.

    Attributes
    ----------
    file : str
        The file, relative to the review folder (``"data.csv"``, ``"review.toml"``).
    where : str or None
        A place that is not a CSV row: ``"line 7"`` or ``"[[outcomes]] 2"`` in TOML.
    """

    file: str = ""
    where: str | None = None

    def __str__(self) -> str:
        place = [self.file] if self.file else []
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.where is not None:
            place.append(self.where)
        if self.study is not None:
            place.append(f"(study {self.study!r})")
        prefix = " ".join(place)
        prefix = f"{prefix}: " if prefix else ""
        if self.field is None:
            return f"{prefix}{self.rule}"
        shown = "missing" if self.value is None else repr(self.value)
        return f"{prefix}{self.field} {self.rule}, got {shown}"


class ReviewValidationError(DataValidationError):
    """Every problem of a review folder, reported at once (one per line)."""

    def __init__(self, problems: Iterable[Problem], folder: str = ""):
        super().__init__(problems)
        n = len(self.problems)
        where = f" {folder}" if folder else ""
        head = f"{n} problem{'s' if n != 1 else ''} in the review folder{where}:"
        self.args = ("\n".join([head, *(f"  {p}" for p in self.problems)]),)

    def __str__(self) -> str:
        return str(self.args[0])
