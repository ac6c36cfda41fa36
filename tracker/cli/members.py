"""`tracker members`: who counts and when, and why the other org members do not."""

from __future__ import annotations

import click

from tracker.cli.context import App
from tracker.cli.options import format_option
from tracker.cli.output import emit


@click.command()
@format_option
@click.pass_obj
def members(app: App, output: str) -> None:
    """People whose contributions count and in which intervals (observed or from the roster),
    and today's members that do not count (bots, excluded)."""
    from tracker.reports import person_record, uncounted_record
    from tracker.rules import build_people, uncounted_members
    from tracker.store.membership import list_member_accounts

    settings = app.settings()
    with app.session() as session:
        accounts = list_member_accounts(session)
    people = build_people(accounts, settings.roster, settings.exclude)
    records = [person_record(person, structured=output == "json") for person in people]
    records += [uncounted_record(member) for member in uncounted_members(accounts, people, settings.exclude)]
    columns = [
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
    emit(records, columns, output, empty="no members known yet: run `tracker sync`")
