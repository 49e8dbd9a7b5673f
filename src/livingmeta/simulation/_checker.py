"""The collecting checker of scenario files: every problem located, reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from livingmeta.errors import Problem

__all__ = ["ScenarioProblem"]

_ANY = object()


@dataclass(frozen=True, slots=True)
class ScenarioProblem(Problem):
    """One located problem of a scenario file: the file and the TOML place."""

    file: str = ""
    where: str | None = None

    def __str__(self) -> str:
        prefix = " ".join(p for p in (self.file, self.where) if p)
        prefix = f"{prefix}: " if prefix else ""
        if self.field is None:
            return f"{prefix}{self.rule}"
        shown = "missing" if self.value is None else repr(self.value)
        return f"{prefix}{self.field} {self.rule}, got {shown}"



class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[ScenarioProblem] = []

    def bad(self, where: str, key: str | None, value: object, rule: str) -> None:
        self.problems.append(ScenarioProblem(None, None, key, value, rule, file=self.file,
                                             where=where))

    def get(self, table: Mapping[str, Any], where: str, key: str,
            kind: type | tuple[type, ...], default: object = _ANY) -> Any:
        if key not in table:
            if default is _ANY:
                self.bad(where, key, None, "must be given")
                return None
            return default
        value = table[key]
        numeric = kind in (int, float, (int, float))
        if (isinstance(value, bool) and numeric) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(
                k.__name__ for k in kind)
            self.bad(where, key, value, f"must be of type {names}")
            return None
        return value

    def unknown(self, table: Mapping[str, Any], where: str, known: set[str]) -> None:
        for key in table:
            if key not in known:
                self.bad(where, key, table[key], f"is not a known key (known: {sorted(known)})")

    def grid(self, table: Mapping[str, Any], where: str, key: str, default: object,
             integer: bool = False) -> list[float]:
        raw = table.get(key, default)
        if raw is None:
            self.bad(where, key, None, "must be given")
            return []
        values = raw if isinstance(raw, list) else [raw]
        ok = (int,) if integer else (int, float)
        if not values or any(isinstance(v, bool) or not isinstance(v, ok) for v in values):
            self.bad(where, key, raw, "must be " + ("an integer or a list of integers"
                                                    if integer else
                                                    "a number or a list of numbers"))
            return []
        if len(set(values)) != len(values):
            self.bad(where, key, raw, "must not repeat a value")
        return [float(v) for v in dict.fromkeys(values)]
