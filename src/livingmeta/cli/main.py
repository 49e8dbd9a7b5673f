"""The ``livingmeta`` command: thin click commands (datasette's style).

Each command parses its options, calls one library function and renders the result.
Library errors become one-line messages on stderr and exit status 2; nothing here
computes statistics.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from livingmeta import __version__
from livingmeta.cli._common import (
    CodeChoice,
    LevelType,
    collect_warnings,
    handle_errors,
    resolve_table_path,
    write_atomically,
)
from livingmeta.cli._render import print_summary
from livingmeta.pooling import MEASURES, METHODS

__all__ = ["cli", "main"]

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="livingmeta")
def cli() -> None:
    """livingmeta: living systematic reviews and meta-analysis at metafor's precision."""


MEASURE_OPTION = click.option(
    "--measure", type=CodeChoice(MEASURES), default=None,
    help="Effect-size measure (metafor's codes). Default: GEN when the table has yi.")


@cli.command()
@click.argument("data")
@MEASURE_OPTION
@click.option("--method", type=CodeChoice(METHODS), default="REML", show_default=True,
              help="Model: EE (alias FE), a tau² estimator, MH or PETO.")
@click.option("--test", type=click.Choice(["z", "knha", "adhoc"]), default="z",
              show_default=True,
              help="z tests, Knapp-Hartung (t / F) tests, or Knapp-Hartung truncated at 1.")
@click.option("--level", type=LevelType(), default="95", show_default=True,
              help="Confidence level in percent.")
@click.option("--by", default=None, metavar="COLUMN", help="Subgroup analysis by this column.")
@click.option("--mods", default=None, metavar="COL[,COL...]",
              help="Moderators for a meta-regression (non-numeric columns are dummy-coded).")
@click.option("--subgroup-tau2", type=click.Choice(["separate", "common"]), default="separate",
              show_default=True,
              help="With --by: a tau² per subgroup, or one common tau² (mixed-effects model).")
@click.option("--leave1out", is_flag=True,
              help="Also refit the model leaving out each study in turn.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def pool(data: str, measure: str | None, method: str, test: str, level: float,
         by: str | None, mods: str | None, subgroup_tau2: str, leave1out: bool,
         as_json: bool) -> None:
    """Pool the studies in DATA (a CSV file, or a bundled data set: bcg, normand1999)."""
    from livingmeta.data import read_study_table
    from livingmeta.pooling import pool_table
    from livingmeta.summary import summarize_pooled_analysis

    moderators = tuple(m.strip() for m in mods.split(",") if m.strip()) if mods else ()
    with collect_warnings():
        table = read_study_table(resolve_table_path(data))
        analysis = pool_table(table, measure=measure, method=method, test=test, level=level,
                              by=by, mods=moderators, leave1out=leave1out,
                              subgroup_tau2=subgroup_tau2)
    if as_json:
        click.echo(json.dumps(analysis.to_dict(), indent=2, allow_nan=False))
    else:
        print_summary(summarize_pooled_analysis(analysis))


@cli.command()
@click.argument("data")
@MEASURE_OPTION
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              default=None, help="Write the table to this CSV file instead of stdout.")
@handle_errors
def effects(data: str, measure: str | None, out: Path | None) -> None:
    """Compute effect sizes (yi, vi, sei) and conversion notes for each study in DATA."""
    from livingmeta.data import read_study_table
    from livingmeta.pooling import effect_sizes_for_table

    with collect_warnings() as caught:
        table = read_study_table(resolve_table_path(data))
        es = effect_sizes_for_table(table, measure=measure)
    for w in dict.fromkeys(str(w.message) for w in caught):
        click.echo(f"warning: {w}", err=True)
    text = es.to_frame().to_csv(index=False, float_format="%.17g")
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomically(out, text)
        click.echo(f"wrote {es.yi.size} studies to {out}", err=True)


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Report folder (default: ./<review folder name>-report).")
@click.option("--profile", default=None, metavar="NAME",
              help="Method profile for the primary analysis (default: the review's own).")
@click.option("--no-report", is_flag=True, help="Print the summary only; write no report.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the whole result as one JSON object instead of the summary.")
@handle_errors
def run(path: Path | None, out: Path | None, profile: str | None, no_report: bool,
        as_json: bool) -> None:
    """Run a review folder (default: the embedded LDN-for-fibromyalgia review) and write
    its HTML report."""
    from livingmeta.appraisal import appraise_review
    from livingmeta.review import (
        embedded_review_path,
        living_evidence,
        load_review,
        run_review,
    )

    folder = embedded_review_path() if path is None else path
    with collect_warnings():
        review = load_review(folder)
        result = run_review(review, profile=profile)
        appraisal = appraise_review(review, result)
        living = living_evidence(review, result)
        index = None
        if not no_report:
            from livingmeta.report import write_report

            target = out if out is not None else Path.cwd() / f"{Path(folder).name}-report"
            index = write_report(result, target, appraisal=appraisal, living=living)
    if as_json:
        click.echo(json.dumps({**result.to_dict(), "appraisal": appraisal.to_dict(),
                               "living": None if living is None else living.to_dict()},
                              indent=2, allow_nan=False))
    else:
        print_summary(result.summary())
        certainty = "; ".join(f"{a.outcome} {a.certainty}" for a in appraisal.grade)
        if certainty:
            click.echo(f"Certainty of evidence (GRADE): {certainty}.")
        for line in () if living is None else living.lines():
            click.echo(line)
    if index is not None:
        click.echo(f"report: {index}", err=as_json)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@handle_errors
def init(path: Path) -> None:
    """Write a small, commented example review folder at PATH (which must be new or empty)."""
    from livingmeta.review import write_example_review

    written = write_example_review(path)
    click.echo(f"wrote an example review to {written}; run it with: livingmeta run {written}")


@cli.command()
def datasets() -> None:
    """List the bundled data sets (usable by name as DATA)."""
    from livingmeta.datasets import DATASETS

    for info in DATASETS.values():
        click.echo(f"{info.name:<12} {info.measure:<5} {info.title}  [{info.source}]")


def _register_commands() -> None:
    from livingmeta.cli.batch import batch
    from livingmeta.cli.bayes import bayes
    from livingmeta.cli.bootstrap import bootstrap
    from livingmeta.cli.diff import diff
    from livingmeta.cli.gosh import gosh
    from livingmeta.cli.permutest import permutest
    from livingmeta.cli.search import search
    from livingmeta.cli.simulate import simulate
    from livingmeta.cli.tsa import tsa
    from livingmeta.cli.whatif import whatif

    for command in (tsa, bayes, whatif, search, diff, batch, gosh, permutest, bootstrap,
                    simulate):
        cli.add_command(command)


_register_commands()


def main() -> None:
    """Console entry point."""
    cli(prog_name="livingmeta")
