"""Options shared by several commands: output format, dates, time zone and the contribution filters."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from tracker.domain import Kind, is_github_login
from tracker.periods import local_day_start

if TYPE_CHECKING:
    from tracker.counting import QueryFilter

FORMATS = ("table", "json", "csv")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_REPO_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")


class Day(click.ParamType[datetime]):
    """A calendar day written YYYY-MM-DD, given as a datetime at its (naive) midnight."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        problem = ""
        if _DAY.fullmatch(text):
            try:
                return datetime.combine(date.fromisoformat(text), datetime.min.time())
            except ValueError as error:
                problem = f" ({error})"
        self.fail(f"{text!r} is not a date{problem}: write YYYY-MM-DD, e.g. 2026-03-31", param, ctx)


DATE = Day()

format_option = click.option(
    "--format", "output", type=click.Choice(FORMATS), default="table", show_default=True
)


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--login", help="One person (any of their logins)."),
        click.option("--team", help="One roster team."),
        click.option("--repo", callback=_owner_slash_name, help="One repo, owner/name."),
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


def past_utc_day(_ctx: click.Context, param: click.Parameter, value: datetime | None) -> datetime | None:
    """A --since in UTC days that has begun: a later one would silently do nothing."""
    now = datetime.now(UTC)
    if value is not None and local_day_start(value.date(), UTC) > now:
        raise click.BadParameter(
            f"{value.date()} is in the future (today is {now.date()} in UTC): nothing can have happened yet",
            param=param,
        )
    return value


def _owner_slash_name(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    owner, slash, name = value.strip().partition("/")
    if not slash or not is_github_login(owner) or not _REPO_NAME.fullmatch(name):
        raise click.BadParameter(f"{value!r} is not owner/name (e.g. pytorch/pytorch)", param_hint="--repo")
    return f"{owner}/{name}"


def query_filter(
    login: str | None,
    team: str | None,
    repo: str | None,
    kinds: Sequence[str],
    since: datetime | None,
    until: datetime | None,
    timezone_name: str,
    *,
    now: datetime | None = None,
) -> QueryFilter:
    """The filter the options describe; a range that cannot hold anything is a usage error."""
    from tracker.counting import QueryFilter

    zone = time_zone(timezone_name)
    start = None if since is None else local_day_start(since.date(), zone)
    end = None if until is None else local_day_start(until.date(), zone)
    check_range(start, end, now or datetime.now(UTC), timezone_name)
    return QueryFilter(
        login=login,
        team=team,
        repo=repo,
        kinds=frozenset(Kind(kind) for kind in kinds) if kinds else None,
        since=start,
        until=end,
    )


def check_range(start: datetime | None, end: datetime | None, now: datetime, zone: str) -> None:
    """--since before --until (exclusive), and not after today: such a range would silently answer
    "no contributions match"."""
    if start is not None and end is not None and start >= end:
        raise click.UsageError(
            f"--since {_day(start, zone)} is not before --until {_day(end, zone)}: the range holds no "
            "day (--since is inclusive, --until exclusive)"
        )
    if start is not None and start > now:
        raise click.UsageError(
            f"--since {_day(start, zone)} is in the future (today is {_day(now, zone)} in {zone}): "
            "nothing can have happened yet"
        )


def _day(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {name!r}", param_hint="--timezone") from None
