"""The ``livingmeta bayes`` command: exact Bayesian random-effects meta-analysis.

Thin, as every command: read the table, compute effect sizes, call
:func:`livingmeta.models.bayes_meta`, render. Studies without a computable effect are
left out with a warning that names them (as ``livingmeta pool``).
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

__all__ = ["bayes"]


def _measures() -> tuple[str, ...]:
    from livingmeta.pooling import MEASURES

    return MEASURES


@click.command()
@click.argument("data")
@click.option("--measure", type=CodeChoice(_measures()), default=None,
              help="Effect-size measure (metafor's codes). Default: GEN when the table has yi.")
@click.option("--mu-prior", "mu_prior", required=True,
              metavar="normal:MEAN,SD|flat", help="Prior of the mean effect mu.")
@click.option("--tau-prior", "tau_prior", required=True,
              metavar="halfnormal:S|halfcauchy:S|lognormal:MU,SD|turner:OUTCOME|rhodes:OUTCOME",
              help="Prior of the heterogeneity tau (an SD); turner/rhodes take "
                   "OUTCOME[/COMPARISON].")
@click.option("--threshold", type=float, default=None,
              help="Threshold of clinical relevance on the analysis scale (e.g. -0.2).")
@click.option("--direction", type=click.Choice(["lower", "higher"]), default="lower",
              show_default=True, help="Which side of the threshold (and of 0) is benefit.")
@click.option("--level", type=LevelType(), default="95", show_default=True,
              help="Credible level in percent.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def bayes(data: str, measure: str | None, mu_prior: str, tau_prior: str,
          threshold: float | None, direction: str, level: float, as_json: bool) -> None:
    """Exact Bayesian random-effects meta-analysis of the studies in DATA (no MCMC)."""

    from livingmeta.cli._render import print_summary
    from livingmeta.data import read_study_table
    from livingmeta.models import bayes_meta, parse_mu_prior, parse_tau_prior
    from livingmeta.pooling import prepare_effects

    priors = parse_mu_prior(mu_prior), parse_tau_prior(tau_prior)   # bad strings: exit 2
    with collect_warnings() as caught:
        table = read_study_table(resolve_table_path(data))
        prepared = prepare_effects(table, measure=measure)
        es, dropped = prepared.effects, list(prepared.dropped)
        result = bayes_meta(es.yi, es.vi, mu_prior=priors[0], tau_prior=priors[1],
                            level=level, threshold=threshold, direction=direction,
                            study=list(es.study),
                            measure=es.measure)
    messages = list(dict.fromkeys([*result.warnings, *(str(w.message) for w in caught)]))
    if as_json:
        out = result.to_dict()
        out["warnings"] = messages
        out["dropped"] = dropped
        click.echo(json.dumps(out, indent=2, allow_nan=False))
        return
    print_summary(result.summary())
    for message in messages:
        if message not in result.warnings:
            click.echo(f"warning: {message}", err=True)
