"""Who the sync follows (organization members and the roster), and from when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tracker.github.fetch import fetch_org_members
from tracker.rules import Person, build_people
from tracker.store import members, sync_state
from tracker.sync.context import SyncContext


def sync_people(context: SyncContext) -> list[Person]:
    """Refresh the organization's members (free when unchanged) and track everyone who counts."""
    settings, session = context.settings, context.session
    context.progress.phase("organization members", 1)
    cache = sync_state.SessionEtagCache(session, context.started_at)
    org_members = fetch_org_members(context.client, settings.org, cache)
    members.replace_org_members(session, org_members, now=context.started_at)
    context.commit()
    context.progress.advance()
    people = build_people(org_members, settings.roster, settings.exclude)
    context.tracked = {login.lower() for person in people for login in person.logins}
    context.summary.people = len(people)
    if not people:
        context.warn(
            f"nobody to track: {settings.org} shows no members to this token "
            "and the roster is empty (run `tracker doctor`)"
        )
    return people


def settle_history_start(context: SyncContext, since: date | None) -> datetime:
    """Where stored history starts: the first run's backfill, moved earlier by `since`."""
    session = context.session
    stored = sync_state.get_history_start(session)
    if since is not None:
        wanted = start_of(since)
    elif stored is None:
        first_day = (context.started_at - timedelta(days=context.settings.backfill_days)).date()
        wanted = start_of(first_day)
    else:
        return stored
    sync_state.set_history_start(session, wanted)
    context.commit()
    return min(wanted, stored) if stored else wanted


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
