"""Who the sync follows (everyone who ever was a member, and the roster), and from when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from tracker.github.fetch import fetch_org_members
from tracker.membership import Listing, Observation, observe_listing
from tracker.rules import Person, build_people
from tracker.store import membership, sync_state
from tracker.sync.context import SyncContext


def sync_people(context: SyncContext) -> list[Person]:
    """List the organization's members (free when unchanged), observe who joined and who left,
    and track everyone who counts.

    Only a complete listing is an observation: a failed one raises before anything is recorded.
    """
    settings, session = context.settings, context.session
    context.progress.phase("organization members", 1)
    cache = sync_state.SessionEtagCache(session, context.started_at)
    org_members = fetch_org_members(context.client, settings.org, cache)
    observation = take_listing(
        session, Listing(tuple(org_members), context.started_at), accept=context.accept_membership_change
    )
    context.commit()
    context.progress.advance()
    if not observation.applied:
        context.warn(_suspect_warning(settings.org, observation))
    people = build_people(observation.accounts, settings.roster, settings.exclude)
    context.memberships = {login.lower(): person.membership for person in people for login in person.logins}
    context.summary.people = len(people)
    if not people:
        context.warn(
            f"nobody to track: {settings.org} shows no members to this token "
            "and the roster is empty (run `tracker doctor`)"
        )
    return people


def take_listing(session: Session, listing: Listing, *, accept: bool = False) -> Observation:
    """Record a complete listing and apply it to the membership history, unless it is suspect
    and not accepted."""
    last = membership.last_applied_listing(session)
    observation = observe_listing(
        membership.list_member_accounts(session),
        listing,
        previous_at=last.started_at if last is not None else None,
        accept=accept,
    )
    membership.record_listing(session, listing, observation)
    return observation


def _suspect_warning(org: str, observation: Observation) -> str:
    return (
        f"membership not changed: this listing of {org} lacks {observation.dropped} of the "
        f"{observation.previous} members listed before, which looks like a token that lost sight of "
        "the organization; the previous membership stays. If they did leave, run "
        "`tracker sync --accept-membership-change`"
    )


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
