"""`tracker members`: who counts and when, and why the other org members do not; or, with
--changes, the joins and departures the member listings observed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from tracker.cli.context import App, UsageProblem
from tracker.cli.options import DATE, format_option, past_utc_day
from tracker.cli.output import emit

if TYPE_CHECKING:
    from tracker.membership import MemberAccount

PEOPLE_COLUMNS = [
    "login",
    "name",
    "team",
    "aliases",
    "former_logins",
    "membership",
    "source",
    "public",
    "counts",
    "reason",
]
CHANGE_COLUMNS = ["at", "change", "login", "user_type"]


@click.command()
@click.option("--changes", is_flag=True, help="List the joins and departures observed, oldest first.")
@click.option(
    "--since", type=DATE, callback=past_utc_day, help="With --changes: from this UTC date on (YYYY-MM-DD)."
)
@format_option
@click.pass_obj
def members(app: App, changes: bool, since: datetime | None, output: str) -> None:
    """People whose contributions count and in which intervals (observed or from the roster),
    and today's members that do not count (bots, excluded)."""
    from tracker.store.membership import list_member_accounts

    if since is not None and not changes:
        raise UsageProblem("--since goes with --changes")
    settings = app.settings()
    with app.session() as session:
        accounts = list_member_accounts(session)
    if changes:
        _emit_changes(accounts, since, output)
        return
    from tracker.reports import person_record, uncounted_record
    from tracker.rules import build_people, uncounted_members

    people = build_people(accounts, settings.roster, settings.exclude)
    records = [person_record(person, structured=output == "json") for person in people]
    records += [uncounted_record(member) for member in uncounted_members(accounts, people, settings.exclude)]
    emit(records, PEOPLE_COLUMNS, output, empty="no members known yet: run `tracker sync`")


def _emit_changes(accounts: list[MemberAccount], since: datetime | None, output: str) -> None:
    from tracker.membership import membership_changes
    from tracker.periods import iso_utc, utc_day_start

    start = utc_day_start(since.date()) if since is not None else None
    records: list[dict[str, object]] = [
        {
            "at": iso_utc(change.at),
            "change": change.change,
            "login": change.login,
            "user_type": change.user_type,
        }
        for change in membership_changes(accounts, start)
    ]
    emit(records, CHANGE_COLUMNS, output, empty="no joins or departures observed")
