"""``livingmeta whatif``: what a pending trial could change (a thin click command).

Reads the study table as ``livingmeta pool`` does, computes the effect sizes and calls
:func:`~livingmeta.sequential.what_if`. The trial's true effect is ``--effect`` when given,
else a draw from the exact Bayesian posterior predictive of a new study's effect
(:func:`~livingmeta.models.bayes_meta` with ``--mu-prior`` and ``--tau-prior``), or from
the normal predictive of the current fit with ``--predictive normal``. ``--mid`` adds the
GRADE imprecision reading (with the OIS when ``--ois`` is given), ``--tsa-delta`` the
trial sequential analysis reading (participants from ``n1i + n2i`` or ``ni``).
"""

from __future__ import annotations

import json

import click

from livingmeta.cli._common import (
    CodeChoice,
    LevelType,
    collect_warnings,
    handle_errors,
    resolve_table_path,
)
from livingmeta.cli._render import print_summary
from livingmeta.cli.tsa import participants

__all__ = ["whatif"]


@click.command()
@click.argument("data")
@click.option("--n-per-arm", type=click.IntRange(min=2), required=True,
              help="Participants per arm of the pending trial (1:1).")
@click.option("--measure", type=CodeChoice(["MD", "SMD", "RR", "OR", "RD"]), default=None,
              help="Effect measure (default GEN when the table has yi: then give the "
                   "measure the yi are on with --measure).")
@click.option("--effect", type=float, default=None,
              help="Assumed true effect of the trial (analysis scale: log for RR/OR). "
                   "Default: drawn from the predictive distribution.")
@click.option("--sd", type=float, default=None, help="Outcome SD in both arms (MD).")
@click.option("--control-risk", type=float, default=None,
              help="Control-arm risk (RR, OR, RD).")
@click.option("--draws", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Number of simulated trials.")
@click.option("--seed", type=int, default=None, help="Random seed (reproducible results).")
@click.option("--method", type=CodeChoice(["EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML",
                                           "EB", "PM"]),
              default="REML", show_default=True, help="Model the conclusion is read from.")
@click.option("--test", type=click.Choice(["z", "knha", "adhoc"]), default="knha",
              show_default=True, help="Tests and CI of that model.")
@click.option("--level", type=LevelType(), default="95", show_default=True,
              help="Confidence level in percent.")
@click.option("--direction", type=click.Choice(["lower", "higher"]), default="lower",
              show_default=True, help="Which values favour the intervention.")
@click.option("--mid", type=float, default=None,
              help="Minimal important difference: adds the GRADE imprecision reading.")
@click.option("--ois", type=click.IntRange(min=1), default=None,
              help="Optimal information size (participants) for the imprecision reading.")
@click.option("--tsa-delta", type=float, default=None,
              help="Adds the TSA reading with this anticipated effect (as `tsa --delta`; "
                   "DL, O'Brien-Fleming, alpha 0.05, power 0.8, D² correction).")
@click.option("--predictive", type=click.Choice(["bayes", "normal"]), default="bayes",
              show_default=True, help="Predictive distribution of the trial's effect.")
@click.option("--mu-prior", default="flat", show_default=True,
              help="With --predictive bayes: normal:MEAN,SD or flat.")
@click.option("--tau-prior", default="halfnormal:0.5", show_default=True,
              help="With --predictive bayes: halfnormal:SCALE, halfcauchy:SCALE, "
                   "lognormal:MU,SD, turner:OUTCOME or rhodes:OUTCOME.")
@click.option("--label", default="pending trial", show_default=True, help="Name of the trial.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def whatif(data: str, n_per_arm: int, measure: str | None, effect: float | None,
           sd: float | None, control_risk: float | None, draws: int, seed: int | None,
           method: str, test: str, level: float, direction: str, mid: float | None,
           ois: int | None, tsa_delta: float | None, predictive: str, mu_prior: str,
           tau_prior: str, label: str, as_json: bool) -> None:
    """Simulate adding a pending trial of N per arm to the studies in DATA."""
    from livingmeta.data import read_study_table
    from livingmeta.errors import ParameterError
    from livingmeta.models import bayes_meta
    from livingmeta.pooling import effect_sizes_for_table
    from livingmeta.sequential import trial_sequential_analysis
    from livingmeta.sequential.whatif import PendingTrial, what_if

    with collect_warnings():
        table = read_study_table(resolve_table_path(data))
        es = effect_sizes_for_table(table, measure=None if table.has("yi") else measure)
        kind = measure or es.measure
        if kind not in ("MD", "SMD", "RR", "OR", "RD"):
            raise ParameterError(f"whatif simulates MD, SMD, RR, OR or RD trials; the table "
                                 f"gives {kind}: name the measure with --measure.")
        n = participants(table) if (tsa_delta is not None or ois is not None) else None
        tsa = None if tsa_delta is None else trial_sequential_analysis(
            es.yi, es.vi, n, measure=kind, delta=tsa_delta, sd=sd, control_risk=control_risk,
            direction=direction, study=es.study)
        bayes = None if (effect is not None or predictive == "normal") else bayes_meta(
            es.yi, es.vi, mu_prior=mu_prior, tau_prior=tau_prior, direction=direction,
            study=es.study, measure=kind)
        result = what_if(
            es.yi, es.vi, PendingTrial(n_per_arm, effect, sd, control_risk, label),
            measure=kind, method=method, test=test, level=level, direction=direction,
            mid=mid, participants=None if n is None else int(n.sum()), ois=ois,
            predictive=bayes, tsa=tsa, draws=draws, seed=seed, study=es.study)
    if as_json:
        out = result.to_dict()
        out["level"] = round(100 * level, 10)  # percent, as --level (DEVELOPERS.md)
        click.echo(json.dumps(out, indent=2, allow_nan=False))
    else:
        print_summary(result.summary())
