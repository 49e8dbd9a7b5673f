"""``livingmeta diff``: what changed between two versions of a living review.

Thin shell (STYLE.md, convention 13): load the folder and its ``versions.toml``, call
:func:`~livingmeta.review.diff_versions`, print the summary or the JSON contract of
:meth:`~livingmeta.review.ReviewDiff.to_dict`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from livingmeta.cli._common import collect_warnings, handle_errors
from livingmeta.errors import ParameterError

__all__ = ["diff"]


def _pick(ids: tuple[str, ...], from_id: str | None, to_id: str | None) -> tuple[str, str]:
    """The two versions: given, or the last one and the one before ``--to``."""
    known = ", ".join(ids)
    for option, value in (("--from", from_id), ("--to", to_id)):
        if value is not None and value not in ids:
            raise ParameterError(f"{option} {value!r} is not a version of versions.toml "
                                 f"(versions, oldest first: {known})")
    to = to_id if to_id is not None else ids[-1]
    if from_id is None:
        i = ids.index(to)
        if i == 0:
            raise ParameterError(f"--to {to!r} is the first version: there is no earlier "
                                 f"version to compare it with (versions, oldest first: "
                                 f"{known})")
        return ids[i - 1], to
    return from_id, to


@click.command("diff")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--from", "from_id", default=None, metavar="VERSION",
              help="Earlier version id of versions.toml (default: the one before --to).")
@click.option("--to", "to_id", default=None, metavar="VERSION",
              help="Later version id (default: the last version).")
@click.option("--profile", default=None, metavar="NAME",
              help="Method profile of both analyses (default: the review's own).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (stable contract) instead of the summary.")
@handle_errors
def diff(path: Path | None, from_id: str | None, to_id: str | None, profile: str | None,
         as_json: bool) -> None:
    """State what changed between two versions of a review folder (default: the embedded
    LDN-for-fibromyalgia review): studies, records, each outcome's pooled estimate and
    GRADE certainty, and the PRISMA 2020 counts of the update."""
    from livingmeta.review import (
        diff_versions,
        embedded_review_path,
        load_review,
        load_versions,
    )

    folder = embedded_review_path() if path is None else path
    with collect_warnings():
        review = load_review(folder)
        versions = load_versions(review)
        before, after = _pick(versions.ids, from_id, to_id)
        result = diff_versions(review, before, after, profile=profile, versions=versions)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        click.echo(result.summary().as_text(), nl=False)
