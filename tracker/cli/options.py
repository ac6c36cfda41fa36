"""Options shared by several commands: output format, dates, time zone and the contribution filters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from tracker.domain import Kind
from tracker.periods import local_day_start

if TYPE_CHECKING:
    from tracker.counting import QueryFilter

FORMATS = ("table", "json", "csv")
DATE = click.DateTime(formats=["%Y-%m-%d"])

format_option = click.option(
    "--format", "output", type=click.Choice(FORMATS), default="table", show_default=True
)


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--login", help="One person (any of their logins)."),
        click.option("--team", help="One roster team."),
        click.option("--repo", help="One repo, owner/name."),
        click.option(
            "--kind", "kinds", multiple=True, type=click.Choice([k.value for k in Kind]), help="Repeatable."
        ),
        click.option("--since", type=DATE, help="From this date, inclusive."),
        click.option("--until", type=DATE, help="Up to this date, exclusive."),
        click.option(
            "--timezone",
            "timezone_name",
            default="UTC",
            show_default=True,
            help="Time zone of --since/--until days (and of stats weeks and months).",
        ),
        format_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def query_filter(
    login: str | None,
    team: str | None,
    repo: str | None,
    kinds: Sequence[str],
    since: datetime | None,
    until: datetime | None,
    timezone_name: str,
) -> QueryFilter:
    from tracker.counting import QueryFilter

    zone = time_zone(timezone_name)
    return QueryFilter(
        login=login,
        team=team,
        repo=repo,
        kinds=frozenset(Kind(kind) for kind in kinds) if kinds else None,
        since=None if since is None else local_day_start(since.date(), zone),
        until=None if until is None else local_day_start(until.date(), zone),
    )


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {name!r}", param_hint="--timezone") from None
