"""Shared pieces of the click commands: option types, error handling, atomic writes."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from livingmeta._io import write_atomically
from livingmeta.errors import LivingMetaError

__all__ = [
    "EXIT_DATA_ERROR",
    "EXIT_INTERNAL_ERROR",
    "CodeChoice",
    "LevelType",
    "collect_warnings",
    "handle_errors",
    "resolve_table_path",
    "write_atomically",
]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_DATA_ERROR = 2
EXIT_INTERNAL_ERROR = 1


class CodeChoice(click.Choice):
    """A case-insensitive choice of metafor codes, returned upper-case as metafor spells them."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return super().convert(str(value).upper(), param, ctx)


class LevelType(click.ParamType):
    """A confidence level in percent (as metafor: 95), returned as a fraction (0.95)."""

    name = "level"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            level = float(value)
        except (TypeError, ValueError):
            self.fail(f"must be a number in percent, e.g. 95; got {value!r}", param, ctx)
        if not 0 < level < 100:
            self.fail(f"must be strictly between 0 and 100 (percent); got {value!r}", param, ctx)
        return level / 100.0


def resolve_table_path(data: str) -> Path:
    """A path, or the name of a bundled data set when no such file exists."""
    from livingmeta.datasets import DATASETS, dataset_path

    path = Path(data)
    if not path.exists() and data in DATASETS:
        return dataset_path(data)
    return path


@contextmanager
def collect_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn library errors into one-line messages and non-zero exits, never a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LivingMetaError as exc:
            _fail(str(exc), EXIT_DATA_ERROR)
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc),
                  EXIT_DATA_ERROR)
        except Exception as exc:  # a bug: still no traceback for the user
            if os.environ.get("LIVINGMETA_DEBUG"):
                raise
            _fail(f"internal error ({type(exc).__name__}: {exc}); please report it, "
                  "and set LIVINGMETA_DEBUG=1 to see the traceback", EXIT_INTERNAL_ERROR)
        return None

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]
