"""``livingmeta batch``: pool every meta-analysis of a long-format table (a thin command).

Parses the options, calls :func:`~livingmeta.batch.pipeline.pool_file` and reports: a
progress bar on stderr when it is a terminal, one summary line at the end, the skipped
meta-analyses on stderr (or in ``--errors FILE``). Exit 0 when some meta-analyses were
pooled; exit 2 with one line per bad meta-analysis when none could be.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from livingmeta.cli._common import CodeChoice, LevelType, handle_errors
from livingmeta.effects.escalc import MEASURES
from livingmeta.models.random import METHODS

__all__ = ["batch"]


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress display on stderr (rows read / meta-analyses written), or None."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed:,} {task.fields[unit]}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        rows = bar.add_task("read", total=None, unit="rows")
        done = bar.add_task("pooled", total=None, unit="meta-analyses")

        def update(rows_read: int, written: int) -> None:
            bar.update(rows, completed=rows_read)
            bar.update(done, completed=written)

        yield update


@click.command()
@click.argument("table")
@click.option("--out", required=True, metavar="FILE.parquet|csv",
              help="Output: one row per meta-analysis (format by extension).")
@click.option("--id-column", default="id", show_default=True,
              help="Column naming the meta-analysis of each row.")
@click.option("--measure", type=CodeChoice(MEASURES), default=None,
              help="Effect-size measure (metafor's codes). Default: GEN when the table has yi.")
@click.option("--method", type=CodeChoice(METHODS), default="REML", show_default=True,
              help="Model: EE (alias FE) or a tau² estimator.")
@click.option("--test", type=click.Choice(["z", "knha", "adhoc"]), default="z",
              show_default=True,
              help="z tests, Knapp-Hartung (t) tests, or Knapp-Hartung truncated at 1.")
@click.option("--level", type=LevelType(), default="95", show_default=True,
              help="Confidence level in percent.")
@click.option("--chunk-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Rows read at a time (memory: about this many per chunk in flight).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask distributed scheduler (e.g. tcp://127.0.0.1:8786); default: "
                   "this process.")
@click.option("--no-tau2-ci", is_flag=True, help="Skip the Q-profile confidence interval of tau².")
@click.option("--errors", "errors_file", default=None, metavar="FILE",
              help="Write the skipped meta-analyses here (CSV for .csv, else one line each) "
                   "instead of stderr.")
@handle_errors
def batch(table: str, out: str, id_column: str, measure: str | None, method: str, test: str,
          level: float, chunk_rows: int, scheduler: str | None, no_tau2_ci: bool,
          errors_file: str | None) -> None:
    """Pool every meta-analysis of TABLE (CSV or Parquet, one row per study, an id column)."""
    from livingmeta.batch.output import write_skipped
    from livingmeta.batch.pipeline import NothingPooledError, pool_file

    try:
        with _progress(sys.stderr.isatty()) as progress:
            run = pool_file(table, out, id_column=id_column, measure=measure, method=method,
                            test=test, level=level, tau2_ci=not no_tau2_ci,
                            chunk_rows=chunk_rows, scheduler=scheduler, progress=progress)
    except NothingPooledError as exc:
        if errors_file:
            write_skipped(errors_file, exc.skipped)
        raise
    if errors_file:
        write_skipped(errors_file, run.skipped)
    else:
        for skipped in run.skipped:
            click.echo(str(skipped), err=True)
    click.echo(run.summary_line())
