"""Number formatting shared by every renderer (text, Markdown, HTML, CLI)."""

from __future__ import annotations

import math

__all__ = ["RATIO_MEASURES", "fmt_interval", "fmt_num", "fmt_p", "fmt_value", "safe_exp"]

#: Measures pooled on the log scale and shown exponentiated.
RATIO_MEASURES = ("RR", "OR", "PETO", "IRR", "ROM")


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


def fmt_value(x: float | None, measure: str, digits: int = 2) -> str:
    """A value of ``measure`` on the reader's scale (ratios exponentiated; '—' if missing).

    >>> fmt_value(-0.2231, "RR"), fmt_value(-0.153, "SMD"), fmt_value(float("nan"), "MD")
    ('0.80', '-0.15', '—')
    """
    if x is None or not math.isfinite(x):
        return "—"
    return f"{math.exp(x) if measure in RATIO_MEASURES else x:.{digits}f}"


def fmt_interval(low: float, high: float, measure: str) -> str:
    """``"-0.57 to 0.27"`` on the reader's scale ('—' when missing)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    return f"{fmt_value(low, measure)} to {fmt_value(high, measure)}"
