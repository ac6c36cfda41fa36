"""`tracker query` and `tracker stats`: counted contributions, one by one or counted per group."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from tracker.cli import output as terminal
from tracker.cli.context import App
from tracker.cli.options import filter_options, query_filter, time_zone
from tracker.cli.output import emit
from tracker.domain import Kind
from tracker.reports import GROUP_BY_CHOICES, TOTAL, GroupBy

if TYPE_CHECKING:
    from tracker.bot.windows import Window
    from tracker.reports import StatsRow

TERMINAL_LIMIT = 100


def current_time() -> datetime:
    return datetime.now(UTC)


@click.command()
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    metavar="N",
    help=f"Show at most N (0: all). Default: {TERMINAL_LIMIT} on a terminal, all if piped or with --format.",
)
@filter_options
@click.pass_obj
def query(app: App, /, limit: int | None, output: str, **filters: Any) -> None:
    """List counted contributions, newest first."""
    from tracker.counting import counted_contributions
    from tracker.reports import contribution_record

    settings = app.settings()
    with app.session() as session:
        rows = counted_contributions(session, settings, query_filter(**filters))
    most = _row_limit(limit)
    shown = rows[:most] if most else rows
    records = [contribution_record(row) for row in shown]
    columns = ["occurred_at", "kind", "login", "team", "repo", "number", "title", "url"]
    emit(records, columns, output, empty="no contributions match")
    if len(rows) > len(shown):
        click.echo(f"… and {len(rows) - len(shown):,} more; use --limit 0 for all", err=True)


def _row_limit(limit: int | None) -> int:
    """0 for no limit. A person reading a terminal gets the newest page; a program gets everything."""
    if limit is not None:
        return limit
    format_source = click.get_current_context().get_parameter_source("output")
    chosen_format = format_source not in (None, ParameterSource.DEFAULT)
    return TERMINAL_LIMIT if terminal.stdout_is_terminal() and not chosen_format else 0


@click.command()
@click.option("--by", "group_by", type=click.Choice(GROUP_BY_CHOICES), default="kind", show_default=True)
@click.option(
    "--all",
    "all_history",
    is_flag=True,
    help="Count all stored history (without --since/--until: the last 4 complete weeks).",
)
@filter_options
@click.pass_obj
def stats(app: App, /, group_by: GroupBy, all_history: bool, output: str, **filters: Any) -> None:
    """Count contributions per group and kind (by default the last 4 complete weeks, per kind)."""
    from tracker.counting import counted_stats
    from tracker.reports import stats_record, stats_totals

    window = _default_window(filters, all_history)
    if window is not None:
        filters = {**filters, "since": _day(window.first_day), "until": _day(window.end_day)}
        click.echo(f"{window.label}: {window.stats_options()}; --all for all history", err=output != "table")
    settings = app.settings()
    where = query_filter(**filters)
    zone = time_zone(filters["timezone_name"])
    with app.session() as session:
        rows = counted_stats(session, settings, where, group_by, zone, now=current_time())
    records = [stats_record(row, group_by) for row in rows]
    by_time = group_by in ("week", "month")
    if output != "table":
        columns = [group_by, *(kind.value for kind in Kind), TOTAL, *(["partial"] if by_time else [])]
        emit(records, columns, output, empty="no contributions match")
        return
    totals = stats_record(stats_totals(rows), group_by)
    table = [_table_record(record, row, group_by) for record, row in zip(records, rows, strict=True)]
    columns = [group_by, *(kind.value for kind in Kind), TOTAL]
    emit(table, columns, output, empty="no contributions match", totals=totals)


def _default_window(filters: dict[str, Any], all_history: bool) -> Window | None:
    """The last complete weeks when no range is given, as the bot's default: what a newcomer asks first."""
    from tracker.bot.windows import recent_weeks

    ranged = filters["since"] is not None or filters["until"] is not None
    if all_history and ranged:
        raise click.UsageError("--all counts all history: give it or --since/--until, not both")
    if all_history or ranged:
        return None
    time_zone(filters["timezone_name"])  # an unknown zone is a usage error before anything else
    return recent_weeks(current_time(), filters["timezone_name"])


def _day(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _table_record(record: dict[str, object], row: StatsRow, by: GroupBy) -> dict[str, object]:
    return {**record, by: f"{row.group} (partial)"} if row.partial else record
