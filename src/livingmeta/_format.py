"""Number formatting shared by every renderer (text, Markdown, HTML, CLI)."""

from __future__ import annotations

import math

__all__ = ["fmt_num", "fmt_p", "safe_exp"]


def fmt_num(value: float | int | None, digits: int = 4) -> str:
    """Format a number with ``digits`` significant decimals; '—' for missing values.

    >>> fmt_num(0.123456)
    '0.1235'
    >>> fmt_num(None)
    '—'
    """
    if value is None:
        return "—"
    x = float(value)
    if not math.isfinite(x):
        return "—" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    if abs(x) >= 1e-3 or x == 0:
        return f"{x:.{digits}f}"
    return f"{x:.{digits - 1}e}"


def fmt_p(p: float | None) -> str:
    """Format a p-value: '<.0001' below 1e-4, else four decimals.

    >>> fmt_p(0.0000123)
    '<.0001'
    >>> fmt_p(0.04567)
    '0.0457'
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "—"
    return "<.0001" if p < 1e-4 else f"{p:.4f}"


def safe_exp(x: float) -> float:
    """exp() for back-transforming log ratios: inf instead of OverflowError (a CI bound of
    a sparse table can be huge on the log scale; JSON shows it as null).

    >>> safe_exp(800.0)
    inf
    """
    return math.exp(x) if x < 709.0 else math.inf
