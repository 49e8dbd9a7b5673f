"""The ``livingmeta gosh`` command: GOSH fits of every subset, plot and diagnostics.

Thin, as every command: read the table, compute effect sizes (as ``livingmeta pool``),
call :func:`livingmeta.sensitivity.gosh.gosh` and
:func:`~livingmeta.sensitivity.gosh.gosh_diagnostics`, write the subsets table (Parquet
or CSV by extension, atomically: a temporary file in the same folder, then a rename),
optionally the plot, and print the diagnostics (or one JSON object with ``--json``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from livingmeta.cli._common import CodeChoice, collect_warnings, handle_errors, resolve_table_path
from livingmeta.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from livingmeta.sensitivity.gosh import GoshDiagnostics, GoshResult

__all__ = ["OUTPUT_COLUMNS", "gosh"]

#: Columns of the subsets table, in order (the stable file contract).
OUTPUT_COLUMNS = ("subset", "k", "estimate", "tau2", "I2", "Q")
_TABLE_SUFFIXES = (".parquet", ".csv")
_PLOT_SUFFIXES = (".svg", ".png", ".pdf")


def _measures() -> tuple[str, ...]:
    from livingmeta.pooling import MEASURES

    return MEASURES


def _methods() -> tuple[str, ...]:
    from livingmeta.models.random import METHODS

    return METHODS


def _check_suffix(path: Path, allowed: tuple[str, ...], option: str) -> None:
    if path.suffix.lower() not in allowed:
        raise ParameterError(f"The '{option}' option must end in one of {', '.join(allowed)}. "
                             f"Got {str(path)!r}.")


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write the whole table or nothing: a temporary file in the same folder, then rename."""
    path = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_output(result: GoshResult, diag: GoshDiagnostics, out: Path, plot: Path | None,
                 dropped: list[str], messages: list[str]) -> dict[str, Any]:
    from livingmeta.results import jsonable

    contrasts = diag.to_frame().drop(columns="flagged_by").to_dict(orient="records")
    studies = [{"study": s, "yi": result.yi[j], "vi": result.vi[j], **contrasts[j],
                "flagged_by": list(diag.flagged_by(s))} for j, s in enumerate(result.study)]
    clusters = {c.algorithm: {
        "n_clusters": int(c.clusters.size), "threshold": c.threshold,
        "flagged": list(c.flagged),
        "clusters": [{"cluster": int(label), "size": int(size), "mean_estimate": m_est,
                      "mean_I2": m_i2}
                     for label, size, m_est, m_i2 in zip(c.clusters, c.size, c.mean_estimate,
                                                         c.mean_I2, strict=True)]}
        for c in diag.clustering}
    return jsonable({
        "k": result.n_studies, "measure": result.measure, "method": result.method,
        "n_subsets": int(result.subset.size), "n_possible": result.n_possible,
        "sampled": result.sampled, "max_subsets": result.max_subsets, "seed": result.seed,
        "not_converged": int((~result.converged).sum()), "out": str(out),
        "plot": None if plot is None else str(plot), "columns": list(OUTPUT_COLUMNS),
        "outlying_studies": list(diag.outlying), "studies": studies,
        "clustering": {"points": int(diag.points.size), "seed": diag.seed,
                       **clusters},
        "dropped": dropped, "warnings": messages,
    })


@click.command()
@click.argument("data")
@click.option("--measure", type=CodeChoice(_measures()), default=None,
              help="Effect-size measure (metafor's codes). Default: GEN when the table has yi.")
@click.option("--method", type=CodeChoice(_methods()), required=True,
              help="Model fitted to every subset: EE, DL, REML (or another tau2 estimator).")
@click.option("--max-subsets", "max_subsets", type=click.IntRange(min=1), default=None,
              help="Fit all 2^k - 1 subsets when there are at most this many, else a random "
                   "sample of this many distinct subsets. Default 1000000.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the random sample and of the clustering (diagnostics).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Subsets table: FILE.parquet or FILE.csv.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the GOSH plot: FILE.svg, FILE.png or FILE.pdf.")
@click.option("--highlight", default=None,
              help="Study label whose subsets the plot draws in colour.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask distributed scheduler (tcp://host:8786); default: this process.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def gosh(data: str, measure: str | None, method: str, max_subsets: int | None,
         seed: int | None, out: Path, plot: Path | None, highlight: str | None,
         scheduler: str | None, as_json: bool) -> None:
    """GOSH: fit METHOD to every subset of the studies in DATA (one row per subset)."""

    from livingmeta.cli._render import print_summary
    from livingmeta.data import read_study_table
    from livingmeta.plots.gosh import GoshPlot
    from livingmeta.pooling import prepare_effects
    from livingmeta.sensitivity.gosh import gosh as run_gosh
    from livingmeta.sensitivity.gosh import gosh_diagnostics

    _check_suffix(out, _TABLE_SUFFIXES, "--out")
    if plot is not None:
        _check_suffix(plot, _PLOT_SUFFIXES, "--plot")
    with collect_warnings() as caught:
        table = read_study_table(resolve_table_path(data))
        prepared = prepare_effects(table, measure=measure)
        es, dropped = prepared.effects, list(prepared.dropped)
        labels = list(es.study)
        result = run_gosh(es.yi, es.vi, method=method, max_subsets=max_subsets,
                          seed=seed, study=labels, measure=es.measure, scheduler=scheduler)
        diag = gosh_diagnostics(result, **({} if seed is None else {"seed": seed}))
    drawing = (GoshPlot.from_result(result, highlight=highlight)  # bad --highlight: exit 2
               if plot is not None else None)
    _write_table(result.to_frame().loc[:, list(OUTPUT_COLUMNS)], out)
    if plot is not None and drawing is not None:
        drawing.savefig(plot)
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    if as_json:
        click.echo(json.dumps(_json_output(result, diag, out, plot, dropped, messages),
                              indent=2, allow_nan=False))
        return
    print_summary(result.summary())
    print_summary(diag.summary())
    click.echo(f"wrote {result.subset.size:,} subsets to {out}"
               + (f" and the plot to {plot}" if plot is not None else ""))
    for message in messages:
        if message not in result.warnings and message not in diag.warnings:
            click.echo(f"warning: {message}", err=True)
