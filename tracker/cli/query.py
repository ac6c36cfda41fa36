"""`tracker query` and `tracker stats`: counted contributions, one by one or counted per group."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.context import App
from tracker.cli.options import filter_options, query_filter, time_zone
from tracker.cli.output import emit
from tracker.domain import Kind
from tracker.reports import GROUP_BY_CHOICES, GroupBy


@click.command()
@filter_options
@click.pass_obj
def query(app: App, /, output: str, **filters: Any) -> None:
    """List counted contributions, newest first."""
    from tracker.counting import counted_contributions
    from tracker.reports import contribution_record

    settings = app.settings()
    with app.session() as session:
        rows = counted_contributions(session, settings, query_filter(**filters))
    records = [contribution_record(row) for row in rows]
    columns = ["occurred_at", "kind", "login", "team", "repo", "number", "title", "url"]
    emit(records, columns, output, empty="no contributions match")


@click.command()
@click.option("--by", "group_by", type=click.Choice(GROUP_BY_CHOICES), default="kind", show_default=True)
@filter_options
@click.pass_obj
def stats(app: App, /, group_by: GroupBy, output: str, **filters: Any) -> None:
    """Count contributions per group and kind."""
    from tracker.counting import counted_stats
    from tracker.reports import stats_record

    settings = app.settings()
    where = query_filter(**filters)
    zone = time_zone(filters["timezone_name"])
    with app.session() as session:
        rows = counted_stats(session, settings, where, group_by, zone)
    records = [stats_record(row, group_by) for row in rows]
    columns = [group_by, *(kind.value for kind in Kind), "total"]
    emit(records, columns, output, empty="no contributions match")
