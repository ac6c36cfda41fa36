"""Records as a table on a terminal (Rich), or as JSON or CSV for other programs."""

from __future__ import annotations

import csv
import io
import json
import sys

import click


def emit(records: list[dict[str, object]], columns: list[str], output: str, *, empty: str) -> None:
    if output == "json":
        # Not indented: json's C encoder only serves compact output, and the output can be a year of rows.
        click.echo(json.dumps(records, ensure_ascii=False))
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        click.echo(buffer.getvalue(), nl=False)
    elif not records:
        click.echo(empty, err=True)
    else:
        _print_table(records, columns)


def _print_table(records: list[dict[str, object]], columns: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for record in records:
        # Text, not str: Rich reads "[bot]" in `dependabot[bot]` (or in a PR title) as markup.
        table.add_row(*(Text(_cell(record.get(column))) for column in columns))
    width = None if sys.stdout.isatty() else 200
    Console(width=width, soft_wrap=False).print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
