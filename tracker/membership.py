"""Membership over time: when each GitHub account was a member of the organization.

Pure functions over plain values. Each complete listing of the organization's members is an
observation; `observe_listing` compares it with what the previous listings established and
keeps, per account, the intervals in which it was a member. The counting rules (`rules.py`)
count a person's contribution only inside one of their intervals.

The observation rules:
- the first listing of a database: every member counts from the beginning of history;
- an account newly listed is a member from the previous listing's start (the last moment it was
  seen absent), so none of a new hire's first days is lost;
- an account listed before and absent now is a member until this listing's start (exclusive);
- leaving and coming back opens a new interval; accounts follow their GitHub user id through
  renames; logins compare case-insensitively;
- safety: a listing that drops more than half of the previous listing's members, and more than
  `SUSPECT_DROP_MINIMUM` of them (or all of them), is suspect and not applied unless accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from tracker.domain import OrgMember

SUSPECT_DROP_MINIMUM = 3


class MembershipSource(StrEnum):
    """Where a person's intervals come from: the org's listings, or the roster's since/until."""

    OBSERVED = "observed"
    ROSTER = "roster"


@dataclass(frozen=True, slots=True)
class Interval:
    """Membership in [start, end): start None is the beginning of history, end None "still a member"."""

    start: datetime | None = None
    end: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        return (self.start is None or self.start <= moment) and (self.end is None or moment < self.end)


WHOLE_HISTORY = (Interval(),)


def is_member_at(intervals: Iterable[Interval], moment: datetime) -> bool:
    return any(interval.contains(moment) for interval in intervals)


def reaches(intervals: Iterable[Interval], moment: datetime) -> bool:
    """Whether membership lasts until `moment` at least (an interval ending there included)."""
    return any(interval.end is None or interval.end >= moment for interval in intervals)


def boundaries(intervals: Iterable[Interval]) -> Iterator[datetime]:
    """Every moment at which membership starts or ends."""
    for interval in intervals:
        yield from (moment for moment in (interval.start, interval.end) if moment is not None)


def membership_span(
    intervals: Sequence[Interval], *, start: datetime, end: datetime
) -> tuple[datetime, datetime] | None:
    """The part of [start, end) from the first moment of membership to the last; None if none of it."""
    first = first_member_moment(intervals, start)
    last = max((interval.end or end for interval in intervals), default=start)
    last = min(last, end)
    return (first, last) if first is not None and first < last else None


def first_member_moment(intervals: Iterable[Interval], at: datetime) -> datetime | None:
    """The earliest moment, at or after `at`, of membership; None when there is none."""
    moments = [
        max(at, interval.start or at) for interval in intervals if interval.end is None or interval.end > at
    ]
    return min(moments, default=None)


@dataclass(frozen=True, slots=True)
class MemberAccount:
    """A GitHub account that a complete listing showed as a member, and when it was one.

    `user_id` follows the account through renames; it is None only for a member carried over
    from before ids were kept, until a listing matches it by login. `former_logins` are the
    logins it had before a rename. `key` is the store's, None for an account not stored yet.
    """

    login: str
    user_id: int | None
    user_type: str
    intervals: tuple[Interval, ...]
    former_logins: tuple[str, ...] = ()
    key: int | None = None

    @property
    def is_member(self) -> bool:
        return any(interval.end is None for interval in self.intervals)


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """An account seen joining (from the previous listing's start) or leaving (at the listing
    that missed it)."""

    at: datetime
    change: Literal["joined", "left"]
    login: str
    user_type: str


def membership_changes(
    accounts: Iterable[MemberAccount], since: datetime | None = None
) -> list[MembershipChange]:
    """Every join and departure the listings observed, from `since` on, oldest first."""
    changes = [
        change
        for account in accounts
        for interval in account.intervals
        for change in _changes_of(account, interval)
        if since is None or change.at >= since
    ]
    return sorted(changes, key=lambda change: (change.at, change.login.lower()))


def _changes_of(account: MemberAccount, interval: Interval) -> Iterator[MembershipChange]:
    if interval.start is not None:
        yield MembershipChange(interval.start, "joined", account.login, account.user_type)
    if interval.end is not None:
        yield MembershipChange(interval.end, "left", account.login, account.user_type)


def joins_and_departures(
    memberships: Iterable[Sequence[Interval]], start: datetime, end: datetime
) -> tuple[int, int]:
    """How many of these memberships started, and how many ended, in [start, end)."""
    joined = left = 0
    for intervals in memberships:
        joined += any(i.start is not None and start <= i.start < end for i in intervals)
        left += any(i.end is not None and start <= i.end < end for i in intervals)
    return joined, left


@dataclass(frozen=True, slots=True)
class Listing:
    """One complete listing of the organization's members, at the start of the sync that made it."""

    members: tuple[OrgMember, ...]
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Observation:
    """What one listing did. A `suspect` listing is `applied` only when accepted; otherwise
    nothing changed.

    `accounts` is every account after the listing; `changed` the accounts to store.
    `previous` counts the members of the last applied listing, `dropped` those missing now.
    """

    applied: bool
    suspect: bool
    accounts: tuple[MemberAccount, ...]
    changed: tuple[MemberAccount, ...]
    joined: tuple[str, ...]
    left: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]
    previous: int
    dropped: int


def is_suspect(*, previous: int, dropped: int, listed: int) -> bool:
    """More than half of the previous members gone, and more than a few of them (or everyone)."""
    if previous == 0 or 2 * dropped <= previous:
        return False
    return dropped > SUSPECT_DROP_MINIMUM or listed == 0


def observe_listing(
    accounts: Sequence[MemberAccount],
    listing: Listing,
    *,
    previous_at: datetime | None,
    accept: bool = False,
) -> Observation:
    """Apply a complete listing to the accounts' history, unless it is suspect and not accepted.

    `previous_at` is the start of the last applied listing (None before the first one).
    """
    pairs = _match(accounts, listing.members)
    listed = {id(account) for _member, account in pairs if account is not None}
    before = [account for account in accounts if account.is_member]
    dropped = [account for account in before if id(account) not in listed]
    suspect = is_suspect(previous=len(before), dropped=len(dropped), listed=len(listing.members))
    if suspect and not accept:
        return Observation(False, True, tuple(accounts), (), (), (), (), len(before), len(dropped))
    joined = [member.login for member, account in pairs if account is None or not account.is_member]
    renamed = [
        (account.login, member.login)
        for member, account in pairs
        if account is not None and account.login.lower() != member.login.lower()
    ]
    updates = [(account, _listed(member, account, previous_at)) for member, account in pairs]
    updates += [(account, _departed(account, listing.started_at)) for account in dropped]
    gone = {id(account) for account in dropped}
    untouched = [account for account in accounts if id(account) not in listed and id(account) not in gone]
    after = sorted([*untouched, *(new for _old, new in updates)], key=lambda account: account.login.lower())
    return Observation(
        applied=True,
        suspect=suspect,
        accounts=tuple(after),
        changed=tuple(new for old, new in updates if new != old),
        joined=tuple(joined),
        left=tuple(account.login for account in dropped),
        renamed=tuple(renamed),
        previous=len(before),
        dropped=len(dropped),
    )


def _match(
    accounts: Sequence[MemberAccount], members: Iterable[OrgMember]
) -> list[tuple[OrgMember, MemberAccount | None]]:
    """Each listed member with its account: by user id, else (when the account or the member has
    none) by login, case-insensitively. None for a member never listed before."""
    by_user_id = {account.user_id: account for account in accounts if account.user_id is not None}
    by_login: dict[str, MemberAccount] = {}
    for known in accounts:
        by_login.setdefault(known.login.lower(), known)
    pairs: list[tuple[OrgMember, MemberAccount | None]] = []
    taken: set[int] = set()
    for member in members:
        account = by_user_id.get(member.user_id) if member.user_id is not None else None
        if account is None:
            candidate = by_login.get(member.login.lower())
            if candidate is not None and (candidate.user_id is None or member.user_id is None):
                account = candidate
        if account is not None and id(account) in taken:
            account = None
        if account is not None:
            taken.add(id(account))
        pairs.append((member, account))
    return pairs


def _departed(account: MemberAccount, at: datetime) -> MemberAccount:
    intervals = tuple(
        Interval(interval.start, at) if interval.end is None else interval for interval in account.intervals
    )
    return replace(account, intervals=intervals)


def _listed(member: OrgMember, account: MemberAccount | None, previous_at: datetime | None) -> MemberAccount:
    """The account of a listed member: new, rejoining, renamed, or as it was."""
    if account is None:
        return MemberAccount(member.login, member.user_id, member.user_type, (Interval(previous_at),))
    intervals = account.intervals if account.is_member else _rejoined(account.intervals, previous_at)
    former = account.former_logins
    if account.login.lower() != member.login.lower():
        former = (*former, account.login)
    return replace(
        account,
        login=member.login,
        user_id=member.user_id if member.user_id is not None else account.user_id,
        user_type=member.user_type,
        intervals=intervals,
        former_logins=tuple(
            login for login in dict.fromkeys(former) if login.lower() != member.login.lower()
        ),
    )


def _rejoined(intervals: tuple[Interval, ...], previous_at: datetime | None) -> tuple[Interval, ...]:
    """A new interval from `previous_at`; an interval that ended there (the account was absent
    from one listing only) simply goes on."""
    last_end = intervals[-1].end if intervals else None
    if last_end is not None and (previous_at is None or previous_at <= last_end):
        return (*intervals[:-1], Interval(intervals[-1].start))
    return (*intervals, Interval(previous_at))
