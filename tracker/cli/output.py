"""Records as a table on a terminal (Rich), or as JSON or CSV for other programs."""

from __future__ import annotations

import csv
import io
import json
import re
import sys

import click


def emit(records: list[dict[str, object]], columns: list[str], output: str, *, empty: str) -> None:
    if output == "json":
        # Not indented: json's C encoder only serves compact output, and the output can be a year of rows.
        click.echo(json.dumps(records, ensure_ascii=False))
    elif output == "csv":
        buffer = io.StringIO()
        # CRLF as RFC 4180 has it: the writer then quotes a lone CR in a title instead of ending a row.
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(
            {key: spreadsheet_safe(value) for key, value in record.items()} for record in records
        )
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
    return terminal_safe(str(value))


# C0 and C1 control characters but tab and newline: an escape sequence in a PR title could clear
# the screen, retitle the window or plant a hyperlink (ESC ] 8) in the user's terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal_safe(text: str) -> str:
    return _CONTROL.sub("", text)


def spreadsheet_safe(value: object) -> object:
    """CSV cells a spreadsheet would run as a formula get a leading apostrophe, as OWASP advises."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
