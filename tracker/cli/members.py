"""`tracker members`: who counts, and why the other org members do not."""

from __future__ import annotations

import click

from tracker.cli.context import App
from tracker.cli.options import format_option
from tracker.cli.output import emit


@click.command()
@format_option
@click.pass_obj
def members(app: App, output: str) -> None:
    """People whose contributions count, and members that do not count (bots, excluded)."""
    from tracker.counting import load_people
    from tracker.rules import build_people, is_bot
    from tracker.store.members import list_org_members

    settings = app.settings()
    with app.session() as session:
        org_members = list_org_members(session)
        people = load_people(session, settings)
    records: list[dict[str, object]] = [
        {
            "login": person.login,
            "name": person.name,
            "team": person.team,
            "aliases": ", ".join(person.aliases),
            "since": person.since.date().isoformat() if person.since else None,
            "until": person.until.date().isoformat() if person.until else None,
            "public": person.public,
            "source": person.source,
            "counts": True,
            "reason": "",
        }
        for person in people
    ]
    counted = {
        login.lower()
        for person in build_people(org_members, settings.roster, settings.exclude)
        for login in person.logins
    }
    excluded = {login.lower() for login in settings.exclude}
    for member in org_members:
        if member.login.lower() in counted:
            continue
        reason = (
            "bot"
            if is_bot(member.login, member.user_type)
            else ("excluded" if member.login.lower() in excluded else "alias")
        )
        records.append({"login": member.login, "source": "org", "counts": False, "reason": reason})
    columns = ["login", "name", "team", "aliases", "since", "until", "public", "source", "counts", "reason"]
    emit(records, columns, output, empty="no members known yet: run `tracker sync`")
