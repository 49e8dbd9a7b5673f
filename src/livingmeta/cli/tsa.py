"""``livingmeta tsa``: trial sequential analysis of a study table (a thin click command).

Parses the options, reads the table, computes effect sizes, calls
:func:`~livingmeta.sequential.trial_sequential_analysis` and renders the result. Trials
are analysed in the table's row order (sort the rows by year first). A table with a
``yi`` column is taken as effect sizes on the analysis scale (logs for RR and OR), with
``vi`` (or ``sei``, ...) as ``livingmeta pool`` reads them. Participants per
trial are ``n1i + n2i`` where both arm sizes are given, else the ``ni`` column (aliases
``n``, ``n_total``).
"""

from __future__ import annotations

import json

import click
import numpy as np

from livingmeta.cli._common import CodeChoice, collect_warnings, handle_errors, resolve_table_path
from livingmeta.cli._render import print_summary
from livingmeta.data import StudyTable
from livingmeta.errors import DataValidationError, Problem

__all__ = ["tsa"]


def participants(table: StudyTable) -> np.ndarray:
    """Participants per row: n1i + n2i, else ni; a missing count names the study."""
    columns = table.columns
    k = table.k
    nan = np.full(k, np.nan)
    arms = columns.get("n1i", nan) + columns.get("n2i", nan)
    out = np.where(np.isfinite(arms), arms, columns.get("ni", nan))
    problems = [Problem(i + 1, table.study[i], "n1i + n2i (or ni)", None,
                        "must be given: TSA counts participants")
                for i in range(k) if not np.isfinite(out[i])]
    if problems:
        raise DataValidationError(problems)
    return np.asarray(out, dtype=float)


@click.command()
@click.argument("data")
@click.option("--measure", type=CodeChoice(["MD", "SMD", "RR", "OR", "RD"]), required=True,
              help="Effect measure.")
@click.option("--delta", type=float, required=True,
              help="Anticipated effect: a difference (MD, SMD, RD) or a ratio (RR, OR).")
@click.option("--sd", type=float, default=None, help="Standard deviation (MD).")
@click.option("--control-risk", type=float, default=None,
              help="Control-group risk (RR, OR, RD).")
@click.option("--alpha", type=float, default=0.05, show_default=True,
              help="Type I error (two-sided: alpha/2 per side).")
@click.option("--power", type=float, default=0.8, show_default=True, help="Power.")
@click.option("--spending", type=click.Choice(["obf", "pocock"]), default="obf",
              show_default=True, help="Lan-DeMets spending type.")
@click.option("--sides", type=click.Choice(["1", "2"]), default="2", show_default=True,
              help="Two-sided (benefit and harm) or one-sided (benefit) monitoring.")
@click.option("--heterogeneity", type=click.Choice(["D2", "I2", "none"]), default="D2",
              show_default=True, help="Heterogeneity correction of the RIS.")
@click.option("--information", type=click.Choice(["participants", "statistical"]),
              default="participants", show_default=True, help="Scale of information.")
@click.option("--method", type=CodeChoice(["EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML",
                                           "EB", "PM"]),
              default="DL", show_default=True, help="Model of the cumulative meta-analysis.")
@click.option("--direction", type=click.Choice(["lower", "higher"]), default="lower",
              show_default=True, help="Which values favour the intervention.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def tsa(data: str, measure: str, delta: float, sd: float | None, control_risk: float | None,
        alpha: float, power: float, spending: str, sides: str, heterogeneity: str,
        information: str, method: str, direction: str, as_json: bool) -> None:
    """Trial sequential analysis of the trials in DATA, in row order."""
    from livingmeta.data import read_study_table
    from livingmeta.pooling import effect_sizes_for_table
    from livingmeta.sequential import trial_sequential_analysis

    with collect_warnings():
        table = read_study_table(resolve_table_path(data))
        # A table of yi/vi (on the analysis scale: logs for RR and OR) is used as given.
        es = effect_sizes_for_table(table, measure=None if table.has("yi") else measure)
        n = participants(table) if information == "participants" else None
        result = trial_sequential_analysis(
            es.yi, es.vi, n, measure=measure, delta=delta, sd=sd, control_risk=control_risk,
            alpha=alpha, power=power, spending=spending, sides=int(sides),
            heterogeneity=heterogeneity, information=information, method=method,
            direction=direction, study=es.study)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print_summary(result.summary())
