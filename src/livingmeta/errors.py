"""Exceptions and warnings raised by livingmeta.

Invalid input raises; degenerate but valid input warns and returns a defined value::

    LivingMetaError                      base of every error livingmeta raises
     +-- ParameterError (ValueError)     a bad argument: unknown measure, method, level, ...
     +-- DataValidationError (ValueError) one or more bad rows/cells; holds every Problem at once
     +-- MethodNotApplicableError (ValueError)  valid data, but the method cannot use it
     +-- ClusterError (RuntimeError)     a Dask cluster could not finish a chunk
                                          (e.g. Mantel-Haenszel on continuous data)

    LivingMetaWarning (UserWarning)      base of every warning
     +-- SingleStudyWarning              k = 1: the "pooled" estimate is that study's
     +-- ZeroTau2Warning                 tau^2 estimated at (or truncated to) zero
     +-- ConvergenceWarning              an iterative estimator or root-finder did not converge
     +-- ZeroCellWarning                 zero cells were corrected or double-zero studies dropped
     +-- DroppedStudiesWarning           studies with missing values were left out
     +-- ConversionWarning               an effect size rests on an approximating conversion
     +-- SimulationWarning               simulated values had to be clipped to valid ranges
     +-- DegenerateBootstrapWarning      a BCa interval is undefined (replicates on one side)

Problems are reported in one format everywhere (STYLE.md, convention 7)::

    study 'FINAL 2024' (row 4): sd1i must be > 0, got -1.6
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "ClusterError",
    "ConvergenceWarning",
    "ConversionWarning",
    "DataValidationError",
    "DegenerateBootstrapWarning",
    "DroppedStudiesWarning",
    "LivingMetaError",
    "LivingMetaWarning",
    "MethodNotApplicableError",
    "ParameterError",
    "Problem",
    "SimulationWarning",
    "SingleStudyWarning",
    "ZeroCellWarning",
    "ZeroTau2Warning",
    "check_choice",
]


class LivingMetaError(Exception):
    """Base class of every error raised by livingmeta."""


class ParameterError(LivingMetaError, ValueError):
    """An argument is invalid (unknown option, out-of-range level, ...)."""


class MethodNotApplicableError(LivingMetaError, ValueError):
    """The data are valid but the requested method cannot be applied to them."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in the input data.

    Attributes
    ----------
    row : int or None
        1-based data row (as a spreadsheet user counts rows below the header), or None
        when the problem concerns the whole table.
    study : str or None
        The study label on that row, when known.
    field : str or None
        The column concerned.
    value : object
        The offending value (``None`` when absent).
    rule : str
        The rule broken, phrased to complete "<field> must ..." or as a sentence.
    """

    row: int | None
    study: str | None
    field: str | None
    value: object
    rule: str

    def __str__(self) -> str:
        where: list[str] = []
        if self.study is not None and self.row is not None:
            where.append(f"study {self.study!r} (row {self.row})")
        elif self.row is not None:
            where.append(f"row {self.row}")
        elif self.study is not None:
            where.append(f"study {self.study!r}")
        prefix = (where[0] + ": ") if where else ""
        if self.field is None:
            return f"{prefix}{self.rule}"
        shown = "missing" if self.value is None else repr(self.value)
        return f"{prefix}{self.field} {self.rule}, got {shown}"


class ClusterError(LivingMetaError, RuntimeError):
    """The Dask cluster could not finish a chunk: its workers kept dying while running it,
    a worker could not import the code, or the connection to the scheduler was lost."""


class DataValidationError(LivingMetaError, ValueError):
    """One or more problems in the input data, all reported at once.

    Parameters
    ----------
    problems : sequence of Problem
        Every problem found; the message lists one per line.
    """

    def __init__(self, problems: Sequence[Problem] | Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input data:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple[object, ...]:
        # rebuilt from the problems (and the message), not from the message alone, so that
        # the error survives pickling (a chunk that fails on a Dask worker)
        return (_rebuild_validation_error, (type(self), self.problems, self.args))


def _rebuild_validation_error(cls: type[DataValidationError], problems: tuple[Problem, ...],
                              args: tuple[object, ...]) -> DataValidationError:
    error = cls.__new__(cls)
    error.problems = problems
    error.args = args
    return error


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Validate a string option (scikit-learn's message template).

    Examples
    --------
    >>> check_choice("method", "REML", ["DL", "REML"])
    'REML'
    """
    options = sorted(set(choices))
    if not isinstance(value, str) or value not in options:
        shown = ", ".join(repr(o) for o in options)
        raise ParameterError(
            f"The {name!r} parameter must be one of {{{shown}}}. Got {value!r}."
        )
    return value


class LivingMetaWarning(UserWarning):
    """Base class of every warning issued by livingmeta."""


class SingleStudyWarning(LivingMetaWarning):
    """Only one study: heterogeneity cannot be estimated; the estimate is that study's."""


class ZeroTau2Warning(LivingMetaWarning):
    """The between-study variance was estimated at, or truncated to, zero."""


class ConvergenceWarning(LivingMetaWarning):
    """An iterative algorithm stopped before meeting its convergence criterion."""


class ZeroCellWarning(LivingMetaWarning):
    """Zero cells were continuity-corrected, or double-zero studies were dropped."""


class DroppedStudiesWarning(LivingMetaWarning):
    """Studies with missing values were left out of the analysis."""


class ConversionWarning(LivingMetaWarning):
    """An effect size was derived with an approximating conversion (see its notes)."""


class DegenerateBootstrapWarning(LivingMetaWarning):
    """A BCa interval is undefined: every replicate lies on one side of the estimate."""


class SimulationWarning(LivingMetaWarning):
    """Simulated values fell outside their valid range and were clipped (see the message)."""
