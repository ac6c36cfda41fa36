"""Records as a table on a terminal (Rich), or as JSON or CSV for other programs."""

from __future__ import annotations

import csv
import io
import json
import re
import sys

import click


def emit(
    records: list[dict[str, object]],
    columns: list[str],
    output: str,
    *,
    empty: str,
    totals: dict[str, object] | None = None,
) -> None:
    """`totals`, a last row summing the others, is shown in tables only: in JSON and CSV every row
    is a group, so that a program that sums them counts nothing twice."""
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
        _print_table(records, columns, totals)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


# Wrapped text columns never get narrower than this (or than their longest cell, if shorter).
_NARROWEST_COLUMN = 10
_PIPED_WIDTH = 200


def _print_table(
    records: list[dict[str, object]], columns: list[str], totals: dict[str, object] | None
) -> None:
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    rows = [[_cell(record.get(column)) for column in columns] for record in records]
    footer = [_cell(totals.get(column)) for column in columns] if totals else None
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for index, column in enumerate(columns):
        cells = [row[index] for row in rows]
        longest = max(len(cell) for cell in [*cells, column])
        if any(_is_url(cell) for cell in cells):
            # A URL cut in two is no longer a link a terminal can open, nor one a user can copy.
            table.add_column(column, no_wrap=True, min_width=longest)
        else:
            table.add_column(column, overflow="fold", min_width=min(longest, _NARROWEST_COLUMN))
    for position, row in enumerate(rows):
        # Text, not str: Rich reads "[bot]" in `dependabot[bot]` (or in a PR title) as markup.
        table.add_row(
            *(Text(cell) for cell in row), end_section=footer is not None and position == len(rows) - 1
        )
    if footer is not None:
        table.add_row(*(Text(cell, style="bold") for cell in footer))
    console = Console(width=None if stdout_is_terminal() else _PIPED_WIDTH, soft_wrap=False)
    # Narrower than the URLs need, the table is printed wider than the terminal, which wraps the
    # lines itself and keeps each URL one piece of text.
    needed = Measurement.get(console, console.options.update_width(10**6), table).minimum
    if needed > console.width:
        console = Console(width=needed, soft_wrap=False)
    console.print(table)


def _is_url(cell: str) -> bool:
    return cell.startswith(("https://", "http://"))


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
