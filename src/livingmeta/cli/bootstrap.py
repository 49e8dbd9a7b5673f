"""``livingmeta bootstrap``: bootstrap confidence intervals of a study table (a thin click
command).

Reads DATA as ``livingmeta pool`` does (studies without an effect size dropped with a
warning) and calls :func:`~livingmeta.sensitivity.bootstrap.bootstrap_ci`.
"""

from __future__ import annotations

import dataclasses
import json

import click

from livingmeta.cli._common import CodeChoice, LevelType, collect_warnings, handle_errors
from livingmeta.cli._render import print_summary
from livingmeta.cli.permutest import table_effects, warning_lines
from livingmeta.models.random import METHODS as MODEL_METHODS
from livingmeta.pooling import MEASURES

__all__ = ["bootstrap"]


@click.command()
@click.argument("data")
@click.option("--measure", type=CodeChoice(MEASURES), default=None,
              help="Effect-size measure (metafor's codes). Default: GEN when the table has yi.")
@click.option("--method", type=CodeChoice(MODEL_METHODS), default="REML", show_default=True,
              help="Model: EE (alias FE) or a tau² estimator.")
@click.option("--kind", type=click.Choice(["parametric", "nonparametric"]),
              default="parametric", show_default=True,
              help="Simulate from the fitted model, or resample studies.")
@click.option("--interval", type=click.Choice(["percentile", "bca"]), default="percentile",
              show_default=True, help="Percentile or bias-corrected and accelerated interval.")
@click.option("--replicates", type=click.IntRange(min=2), default=1000, show_default=True,
              help="Bootstrap replicates.")
@click.option("--level", type=LevelType(), default="95", show_default=True,
              help="Confidence level in percent.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the draws (default: a fresh one, reported).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on a Dask distributed scheduler (e.g. tcp://127.0.0.1:8786).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def bootstrap(data: str, measure: str | None, method: str, kind: str, interval: str,
              replicates: int, level: float, seed: int | None, scheduler: str | None,
              as_json: bool) -> None:
    """Bootstrap confidence intervals for the pooled estimate, tau² and I² of DATA."""
    from livingmeta.sensitivity.bootstrap import bootstrap_ci

    with collect_warnings() as caught:
        es, _, _ = table_effects(data, measure, method, "z", [])
        result = bootstrap_ci(es.yi, es.vi, method=method, kind=kind, interval=interval,
                              replicates=replicates, level=level, seed=seed,
                              study=list(es.study), measure=es.measure, scheduler=scheduler)
    messages = warning_lines(caught)
    if as_json:
        out = {**result.to_dict(), "level": round(100.0 * result.level, 10),
               "studies": list(es.study), "warnings": messages}
        click.echo(json.dumps(out, indent=2, allow_nan=False))
        return
    summary = result.summary()
    extra = tuple(f"warning: {m}" for m in messages if m not in result.warnings)
    print_summary(dataclasses.replace(summary, lines=summary.lines + extra))
