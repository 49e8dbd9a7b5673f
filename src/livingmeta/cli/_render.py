"""Render a :class:`~livingmeta.summary.Summary` on the terminal with rich."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from livingmeta.summary import Summary

__all__ = ["print_summary"]


def print_summary(summary: Summary, console: Console | None = None) -> None:
    """Print a summary: its title, its lines (warnings), then each table."""
    # Off a terminal (pipes, CI logs) rich would wrap at 80 columns; tables read better wider.
    console = console or Console(highlight=False, soft_wrap=True,
                                 width=None if sys.stdout.isatty() else 140)
    console.print(f"[bold]{summary.title}[/bold]")
    for line in summary.lines:
        console.print(f"[yellow]{line}[/yellow]")
    for part in summary.tables:
        table = Table(title=part.title, title_justify="left", show_edge=False)
        for i, name in enumerate(part.header):
            table.add_column(name, justify="left" if i == 0 else "right")
        for row in part.rows:
            table.add_row(*row)
        console.print(table)
