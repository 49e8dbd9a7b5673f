"""One summary, several renderers (statsmodels' ``Summary``, lifelines' ``print_summary``).

A :class:`Summary` is a value: a title, a few lines of text and named tables of
already-formatted cells. Renderers turn it into plain text, Markdown or HTML; the CLI
renders the same value with rich. The library never prints.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livingmeta._format import fmt_num, fmt_p, safe_exp

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from livingmeta.pooling import PooledAnalysis

__all__ = ["Summary", "SummaryTable", "frame_table", "summarize", "summarize_pooled_analysis"]


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """A titled table of formatted cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """A rendered-agnostic summary of an analysis."""

    title: str
    lines: tuple[str, ...]
    tables: tuple[SummaryTable, ...]

    def as_text(self) -> str:
        """Plain text with aligned columns."""
        out = [self.title, "=" * len(self.title), *self.lines]
        for table in self.tables:
            widths = [max(len(c) for c in col) for col in zip(table.header, *table.rows,
                                                               strict=True)]
            out += ["", table.title]
            out.append("  ".join(h.ljust(w) for h, w in zip(table.header, widths, strict=True)))
            out.append("  ".join("-" * w for w in widths))
            out += ["  ".join(c.rjust(w) if i else c.ljust(w)
                              for i, (c, w) in enumerate(zip(row, widths, strict=True)))
                    for row in table.rows]
        return "\n".join(out) + "\n"

    def as_markdown(self) -> str:
        """GitHub-flavoured Markdown."""
        out = [f"## {self.title}", "", *(f"{line}  " for line in self.lines)]
        for table in self.tables:
            out += ["", f"### {table.title}", "",
                    "| " + " | ".join(table.header) + " |",
                    "|" + "|".join(" --- " for _ in table.header) + "|"]
            out += ["| " + " | ".join(row) + " |" for row in table.rows]
        return "\n".join(out) + "\n"

    def as_html(self) -> str:
        """An HTML fragment (escaped)."""
        esc = html.escape
        out = [f"<section class='lm-summary'><h2>{esc(self.title)}</h2>"]
        out += [f"<p>{esc(line)}</p>" for line in self.lines]
        for table in self.tables:
            out.append(f"<table><caption>{esc(table.title)}</caption><thead><tr>")
            out += [f"<th>{esc(h)}</th>" for h in table.header]
            out.append("</tr></thead><tbody>")
            for row in table.rows:
                out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
        out.append("</section>")
        return "".join(out)


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return f"[{fmt_num(low)}, {fmt_num(high)}]"


def _estimate_rows(d: dict) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]]
    stat_name = "z" if d["test"] == "z" else "t"
    rows = [
        ("estimate", fmt_num(d["estimate"])),
        ("standard error", fmt_num(d["se"])),
        (f"{stat_name} statistic" + (f" (df = {fmt_num(d['df'])})" if d["df"] else ""),
         fmt_num(d["statistic"])),
        ("p-value", fmt_p(d["pval"])),
        (f"{fmt_num(d['level'])}% CI", _interval(d["ci_low"], d["ci_high"])),
        (f"{fmt_num(d['level'])}% prediction interval", _interval(d["pi_low"], d["pi_high"])),
    ]
    back = d.get("back_transformed")
    if back:
        name = back["transform"]
        rows += [
            (f"{name}(estimate)", fmt_num(back["estimate"])),
            (f"{name}(CI)", _interval(back["ci_low"], back["ci_high"])),
            (f"{name}(PI)", _interval(back["pi_low"], back["pi_high"])),
        ]
    return rows


def _heterogeneity_rows(d: dict) -> list[tuple[str, ...]]:
    ci = d.get("tau2_ci")
    rows: list[tuple[str, ...]] = []
    if d["tau2"] is not None:
        rows.append(("tau²", fmt_num(d["tau2"]), _interval(*ci) if ci else "—"))
    rows += [
        ("I² (%)", fmt_num(d["I2"]), _interval(*d["I2_ci"]) if d.get("I2_ci") else "—"),
        ("H²", fmt_num(d["H2"]), _interval(*d["H2_ci"]) if d.get("H2_ci") else "—"),
        (f"Q (df = {d['Q_df']})", fmt_num(d["Q"]), f"p = {fmt_p(d['Q_pval'])}"),
    ]
    return rows


def summarize_pooled_analysis(analysis: PooledAnalysis) -> Summary:
    """Summary of a :class:`~livingmeta.pooling.PooledAnalysis` (what ``pool`` prints)."""
    d = analysis.to_dict()
    title = (f"{d['measure']} meta-analysis, method {d['method']}, test {d['test']} "
             f"(k = {d['k']})")
    tables: list[SummaryTable] = []
    if d.get("coefficients") is None:
        tables.append(SummaryTable("Pooled effect (analysis scale)", ("", "value"),
                                   tuple(_estimate_rows(d))))
    tables.append(SummaryTable("Heterogeneity", ("", "value", "CI / test"),
                               tuple(_heterogeneity_rows(d))))
    if d.get("coefficients") is not None:
        rows = tuple((c["name"], fmt_num(c["estimate"]), fmt_num(c["se"]),
                      fmt_num(c["statistic"]), fmt_p(c["pval"]),
                      _interval(c["ci_low"], c["ci_high"])) for c in d["coefficients"])
        tables.append(SummaryTable("Meta-regression coefficients",
                                   ("term", "estimate", "se", "statistic", "p", "CI"), rows))
        qm_df = d["QM_df"]
        df_text = ", ".join(str(x) for x in qm_df) if isinstance(qm_df, list) else str(qm_df)
        tables.append(SummaryTable("Moderators", ("", "value"), (
            (f"QM (df = {df_text})", fmt_num(d["QM"])), ("p-value", fmt_p(d["QM_pval"])),
            ("R² (%)", fmt_num(d["R2"])))))
    if d.get("subgroups"):
        rows = tuple((g["group"], str(g["k"]), fmt_num(g["estimate"]),
                      _interval(g["ci_low"], g["ci_high"]),
                      fmt_num(g["tau2"]), fmt_num(g["I2"])) for g in d["subgroups"])
        test = d["subgroup_test"]
        tables.append(SummaryTable(
            f"Subgroups (test for differences: Q = {fmt_num(test['Q'])}, "
            f"df = {test['df']}, p = {fmt_p(test['pval'])})",
            ("group", "k", "estimate", "CI", "tau²", "I² (%)"), rows))
    if d.get("leave_one_out"):
        rows = tuple((r["study"], fmt_num(r["estimate"]), _interval(r["ci_low"], r["ci_high"]),
                      fmt_p(r["pval"]), fmt_num(r["tau2"]), fmt_num(r["I2"]))
                     for r in d["leave_one_out"])
        tables.append(SummaryTable("Leave-one-out (each row omits one study)",
                                   ("omitted", "estimate", "CI", "p", "tau²", "I² (%)"), rows))
    studies = tuple((s["study"], fmt_num(s["yi"]), fmt_num(s["vi"]), fmt_num(s["weight"]))
                    for s in d["studies"])
    tables.append(SummaryTable("Studies", ("study", "yi", "vi", "weight (%)"), studies))
    lines = tuple(f"warning: {w}" for w in d["warnings"])
    return Summary(title=title, lines=lines, tables=tuple(tables))



def frame_table(title: str, frame: pd.DataFrame) -> SummaryTable:
    """A :class:`SummaryTable` of a result's ``to_frame()`` (a named index becomes the
    first column), numbers formatted as everywhere else."""
    def cell(value: object) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or value is None:
            return str(value)
        try:
            return fmt_num(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return str(value)

    if frame.index.name is not None:
        frame = frame.reset_index()
    rows = tuple(tuple(cell(v) for v in row) for row in frame.itertuples(index=False))
    return SummaryTable(title, tuple(str(c) for c in frame.columns), rows)


def _back_transformed(d: dict[str, Any]) -> dict[str, Any] | None:
    func: Callable[[float], float]
    if d["measure"] in ("OR", "RR", "PETO", "IRR", "ROM"):
        name, func = "exp", safe_exp
    elif d["measure"] == "ZCOR":
        name, func = "tanh", math.tanh
    else:
        return None
    out: dict[str, Any] = {"transform": name}
    for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
        value = d.get(key, d.get(key.replace("pi_", "ci_")))
        out[key] = None if value is None else func(value)
    return out


def _fit_dict(result: Any) -> dict[str, Any]:
    """A fit's numbers in the shape of the ``pool --json`` contract."""
    from livingmeta._json import json_float

    d = result.to_dict()
    interval = d.get("tau2_ci")
    is_common = d["method"] in ("EE", "FE", "MH", "PETO")
    out = {key: d.get(key) for key in (
        "k", "measure", "method", "estimate", "se", "statistic", "pval", "ci_low", "ci_high",
        "I2", "H2", "Q", "Q_df", "Q_pval")}
    out.update(
        test=d.get("test", "z"), df=d.get("df"), level=round(float(d["level"]) * 100, 10),
        pi_low=d.get("pi_low", d["ci_low"]), pi_high=d.get("pi_high", d["ci_high"]),
        tau2=None if is_common else json_float(d.get("tau2")),
        tau2_ci=[interval["tau2_ci_low"], interval["tau2_ci_high"]] if interval else None,
        I2_ci=[interval["I2_ci_low"], interval["I2_ci_high"]] if interval else None,
        H2_ci=[interval["H2_ci_low"], interval["H2_ci_high"]] if interval else None,
        back_transformed=_back_transformed(d),
        warnings=list(d.get("warnings", [])),
        studies=[{"study": s, "yi": y, "vi": v, "weight": w} for s, y, v, w in zip(
            d["study"], d["yi"], d["vi"], d["weights"], strict=True)],
    )
    return out


def summarize(result: Any) -> Summary:
    """Summary of any livingmeta result: a fit (``rma``, ``rma_mh``, ``rma_peto``), a
    meta-regression, a subgroup analysis, a leave-one-out analysis or a pooled analysis.
    """
    from livingmeta.models.subgroups import SubgroupResult
    from livingmeta.pooling import PooledAnalysis
    from livingmeta.results import MetaRegressionResult
    from livingmeta.sensitivity import LeaveOneOutResult

    if isinstance(result, PooledAnalysis):
        return summarize_pooled_analysis(result)
    if isinstance(result, SubgroupResult | LeaveOneOutResult):
        kind = "Subgroup analysis" if isinstance(result, SubgroupResult) else "Leave-one-out"
        title = f"{kind}: {result.measure}, method {result.method}, test {result.test}"
        lines = tuple(f"warning: {w}" for w in result.warnings)
        if isinstance(result, SubgroupResult):
            lines = (f"test for subgroup differences: Q = {fmt_num(result.Q_between)}, "
                     f"df = {result.Q_between_df}, p = {fmt_p(result.Q_between_pval)}",
                     *lines)
        return Summary(title, lines, (frame_table(kind, result.to_frame()),))
    if isinstance(result, MetaRegressionResult):
        d = result.to_dict()
        frame_rows = tuple(
            (name, fmt_num(b), fmt_num(se), fmt_num(z), fmt_p(p), _interval(lo, hi))
            for name, b, se, z, p, lo, hi in zip(
                d["moderator_names"], d["estimate"], d["se"], d["statistic"], d["pval"],
                d["ci_low"], d["ci_high"], strict=True))
        title = (f"Meta-regression: {d['measure']}, method {d['method']}, test {d['test']} "
                 f"(k = {d['k']})")
        tables: tuple[SummaryTable, ...] = (
            SummaryTable("Coefficients", ("term", "estimate", "se", "statistic", "p", "CI"),
                         frame_rows),
            SummaryTable("Moderators and residual heterogeneity", ("", "value"), (
                (f"QM (df = {d['QM_df']})", fmt_num(d["QM"])),
                ("QM p-value", fmt_p(d["QM_pval"])),
                ("R² (%)", fmt_num(d["R2"])),
                ("tau² (residual)", fmt_num(d["tau2"])),
                (f"QE (df = {d['Q_df']})", fmt_num(d["Q"])),
                ("QE p-value", fmt_p(d["Q_pval"])))),
        )
        return Summary(title, tuple(f"warning: {w}" for w in d["warnings"]), tables)
    d = _fit_dict(result)
    title = f"{d['measure']} meta-analysis, method {d['method']} (k = {d['k']})"
    tables = (
        SummaryTable("Pooled effect (analysis scale)", ("", "value"),
                     tuple(_estimate_rows(d))),
        SummaryTable("Heterogeneity", ("", "value", "CI / test"),
                     tuple(_heterogeneity_rows(d))),
        SummaryTable("Studies", ("study", "yi", "vi", "weight (%)"), tuple(
            (s["study"], fmt_num(s["yi"]), fmt_num(s["vi"]), fmt_num(s["weight"]))
            for s in d["studies"])),
    )
    return Summary(title, tuple(f"warning: {w}" for w in d["warnings"]), tables)
