"""``livingmeta permutest``: permutation tests of a study table (a thin click command).

Reads DATA as ``livingmeta pool`` does (effect sizes from the table's columns, studies
without an effect size or a moderator value dropped with a warning, non-numeric
moderators dummy-coded against their first level) and calls
:func:`~livingmeta.sensitivity.permutation.permutation_test`.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Sequence

import click

from livingmeta.cli._common import CodeChoice, collect_warnings, handle_errors, resolve_table_path
from livingmeta.cli._render import print_summary
from livingmeta.effects import EffectSizes
from livingmeta.models.random import METHODS as MODEL_METHODS
from livingmeta.pooling import MEASURES

__all__ = ["permutest", "table_effects", "warning_lines"]


def table_effects(data: str, measure: str | None, method: str, test: str,
                  mods: Sequence[str]) -> tuple[EffectSizes, object, list[str] | None]:
    """Effect sizes (incomplete studies dropped, with a warning) and the moderator matrix
    of DATA, as ``livingmeta pool`` builds them."""
    from livingmeta.data import read_study_table
    from livingmeta.pooling import prepare_effects

    table = read_study_table(resolve_table_path(data))
    prepared = prepare_effects(table, measure=measure, method=method, test=test, mods=mods)
    return prepared.effects, prepared.design, prepared.names


def warning_lines(caught: list[warnings.WarningMessage]) -> list[str]:
    """Messages of the warnings caught, once each, in order."""
    return list(dict.fromkeys(str(w.message) for w in caught))


@click.command()
@click.argument("data")
@click.option("--measure", type=CodeChoice(MEASURES), default=None,
              help="Effect-size measure (metafor's codes). Default: GEN when the table has yi.")
@click.option("--mods", default=None, metavar="COL[,COL...]",
              help="Moderators: permute their rows (else: flip the signs of yi).")
@click.option("--method", type=CodeChoice(MODEL_METHODS), default="REML", show_default=True,
              help="Model: EE (alias FE) or a tau² estimator.")
@click.option("--test", type=click.Choice(["z", "knha", "adhoc"]), default="z",
              show_default=True, help="Test statistic permuted: z, or Knapp-Hartung t / F.")
@click.option("--permutations", type=click.IntRange(min=2), default=1000, show_default=True,
              help="Random permutations (the observed data included); the test is exact "
                   "when there are at most this many distinct ones.")
@click.option("--exact/--no-exact", default=None,
              help="Force an exact (every permutation) or a random test. Default: exact "
                   "when feasible.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed of the random permutations (default: a fresh one, reported).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on a Dask distributed scheduler (e.g. tcp://127.0.0.1:8786).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def permutest(data: str, measure: str | None, mods: str | None, method: str, test: str,
              permutations: int, exact: bool | None, seed: int | None, scheduler: str | None,
              as_json: bool) -> None:
    """Permutation test of the pooled effect (or of meta-regression coefficients) in DATA."""
    from livingmeta.sensitivity.permutation import permutation_test

    moderators = [m.strip() for m in mods.split(",") if m.strip()] if mods else []
    with collect_warnings() as caught:
        es, design, names = table_effects(data, measure, method, test, moderators)
        result = permutation_test(
            es.yi, es.vi, mods=design, moderator_names=names, method=method, test=test,
            permutations=permutations, exact="auto" if exact is None else exact, seed=seed,
            study=list(es.study), measure=es.measure, scheduler=scheduler)
    messages = warning_lines(caught)
    if as_json:
        out = {**result.to_dict(), "studies": list(es.study), "warnings": messages}
        click.echo(json.dumps(out, indent=2, allow_nan=False))
        return
    summary = result.summary()
    extra = tuple(f"warning: {m}" for m in messages if m not in result.warnings)
    print_summary(dataclasses.replace(summary, lines=summary.lines + extra))
