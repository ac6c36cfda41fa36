"""The membership history in the store: accounts and their intervals round-trip, listings say which
one was last applied and whether a suspect one waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.domain import OrgMember
from tracker.membership import Interval, Listing
from tracker.store.membership import (
    ACCEPTED,
    SUSPECT,
    last_applied_listing,
    list_member_accounts,
    pending_suspect_listing,
)
from tracker.sync.people import take_listing

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)
T3 = T0 + timedelta(hours=3)

TEAM = [
    OrgMember(login, "User", index) for index, login in enumerate(["ada", "bob", "cy", "di", "ed", "flo"])
]


def take(engine: Engine, members: list[OrgMember], at: datetime, *, accept: bool = False) -> None:
    with Session(engine) as session:
        take_listing(session, Listing(tuple(members), at), accept=accept)
        session.commit()


def accounts(engine: Engine) -> dict[str, tuple[int | None, tuple[Interval, ...], tuple[str, ...]]]:
    with Session(engine) as session:
        return {a.login: (a.user_id, a.intervals, a.former_logins) for a in list_member_accounts(session)}


def test_accounts_and_their_intervals_round_trip_in_time_order(engine: Engine) -> None:
    take(engine, TEAM[:2], T0)
    take(engine, TEAM[1:2], T1)
    take(engine, TEAM[1:2], T2)
    take(engine, TEAM[:2], T3)

    assert accounts(engine) == {
        "ada": (0, (Interval(None, T1), Interval(T2)), ()),
        "bob": (1, (Interval(),), ()),
    }


def test_a_rename_is_stored_with_the_former_login(engine: Engine) -> None:
    take(engine, TEAM[:2], T0)

    take(engine, [OrgMember("ada-lovelace", "User", 0), TEAM[1]], T1)

    assert accounts(engine)["ada-lovelace"] == (0, (Interval(),), ("ada",))
    assert "ada" not in accounts(engine)


def test_the_last_applied_listing_is_the_one_the_next_is_compared_with(engine: Engine) -> None:
    with Session(engine) as session:
        assert last_applied_listing(session) is None
    take(engine, TEAM, T0)
    take(engine, [*TEAM, OrgMember("gus", "User", 9)], T1)

    with Session(engine) as session:
        last = last_applied_listing(session)
        assert last is not None and (last.started_at, last.members) == (T1, 7)
        assert pending_suspect_listing(session) is None
    assert accounts(engine)["gus"][1] == (Interval(T0),)


def test_a_suspect_listing_waits_and_changes_nothing_until_a_listing_is_applied(engine: Engine) -> None:
    take(engine, TEAM, T0)
    before = accounts(engine)

    take(engine, TEAM[:1], T1)

    with Session(engine) as session:
        pending = pending_suspect_listing(session)
        assert pending is not None
        assert (pending.started_at, pending.status, pending.previous, pending.dropped) == (T1, SUSPECT, 6, 5)
        last = last_applied_listing(session)
        assert last is not None and last.started_at == T0
    assert accounts(engine) == before

    take(engine, TEAM, T2)

    with Session(engine) as session:
        assert pending_suspect_listing(session) is None
    assert accounts(engine) == before


def test_an_accepted_suspect_listing_is_applied_and_recorded_as_accepted(engine: Engine) -> None:
    take(engine, TEAM, T0)

    take(engine, TEAM[:1], T1, accept=True)

    with Session(engine) as session:
        last = last_applied_listing(session)
        assert last is not None and (last.started_at, last.status) == (T1, ACCEPTED)
        assert pending_suspect_listing(session) is None
    assert accounts(engine)["bob"][1] == (Interval(None, T1),)
