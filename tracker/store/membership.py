"""Membership over time: every account a complete listing showed as a member, with its intervals,
and the listings themselves (the last applied one; a suspect one waiting to be accepted)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.membership import Interval, Listing, MemberAccount, Observation
from tracker.store.tables import MemberAccountRow, MemberIntervalRow, MemberListingRow

APPLIED, SUSPECT, ACCEPTED = "applied", "suspect", "accepted"
_ACCOUNT: sa.Table = MemberAccountRow.__table__  # type: ignore[attr-defined]
_INTERVAL: sa.Table = MemberIntervalRow.__table__  # type: ignore[attr-defined]
_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """A stored listing: `status` is applied, suspect (not applied) or accepted (suspect, applied)."""

    started_at: datetime
    status: str
    members: int
    previous: int
    dropped: int


def list_member_accounts(session: Session) -> list[MemberAccount]:
    """Every account ever observed as a member, each with its intervals in time order."""
    connection = session.connection()
    intervals: dict[int, list[Interval]] = {}
    for account_id, start, end in connection.execute(
        sa.select(_INTERVAL.c.account_id, _INTERVAL.c.starts_at, _INTERVAL.c.ends_at)
    ):
        intervals.setdefault(account_id, []).append(Interval(start, end))
    statement = sa.select(
        _ACCOUNT.c.id, _ACCOUNT.c.login, _ACCOUNT.c.user_id, _ACCOUNT.c.user_type, _ACCOUNT.c.former_logins
    ).order_by(_ACCOUNT.c.login_key, _ACCOUNT.c.id)
    return [
        MemberAccount(
            login=login,
            user_id=user_id,
            user_type=user_type,
            intervals=tuple(sorted(intervals.get(key, []), key=_in_time_order)),
            former_logins=tuple(json.loads(former_logins)),
            key=key,
        )
        for key, login, user_id, user_type, former_logins in connection.execute(statement)
    ]


def _in_time_order(interval: Interval) -> tuple[bool, datetime | None]:
    return (interval.start is not None, interval.start)


def last_applied_listing(session: Session) -> ListingRecord | None:
    """The listing the next one is compared with; None before the first."""
    return _latest(session, col(MemberListingRow.status).in_([APPLIED, ACCEPTED]))


def pending_suspect_listing(session: Session) -> ListingRecord | None:
    """The newest listing, when it was suspect and not applied: it waits to be accepted."""
    latest = _latest(session, sa.true())
    return latest if latest is not None and latest.status == SUSPECT else None


def _latest(session: Session, condition: sa.ColumnElement[bool]) -> ListingRecord | None:
    statement = (
        select(MemberListingRow)
        .where(condition)
        .order_by(col(MemberListingRow.started_at).desc(), col(MemberListingRow.id).desc())
        .limit(1)
    )
    row = session.exec(statement).first()
    if row is None:
        return None
    return ListingRecord(row.started_at, row.status, row.members, row.previous, row.dropped)


def record_listing(session: Session, listing: Listing, observation: Observation) -> None:
    """The listing as seen, and (when it was applied) the accounts it changed."""
    status = SUSPECT if not observation.applied else (ACCEPTED if observation.suspect else APPLIED)
    session.add(
        MemberListingRow(
            started_at=listing.started_at,
            status=status,
            members=len(listing.members),
            previous=observation.previous,
            dropped=observation.dropped,
        )
    )
    if observation.applied:
        save_accounts(session, observation.changed)


def save_accounts(session: Session, accounts: Iterable[MemberAccount]) -> None:
    """Write these accounts and replace their intervals (an account has a handful)."""
    accounts = list(accounts)
    keys = [account.key for account in accounts if account.key is not None]
    stored = {
        row.id: row
        for row in session.exec(select(MemberAccountRow).where(col(MemberAccountRow.id).in_(keys)))
    }
    rows = []
    for account in accounts:
        row = stored[account.key] if account.key is not None else None
        if row is None:
            row = MemberAccountRow(login_key=account.login.lower(), login=account.login)
        row.user_id = account.user_id
        row.login_key = account.login.lower()
        row.login = account.login
        row.user_type = account.user_type
        row.former_logins = json.dumps(list(account.former_logins))
        rows.append(row)
    session.add_all(rows)
    session.flush()
    if keys:
        session.execute(
            sa.delete(MemberIntervalRow).where(col(MemberIntervalRow.account_id).in_(keys)),
            execution_options=_NO_SYNC,
        )
    values = [
        {"account_id": row.id, "starts_at": interval.start, "ends_at": interval.end}
        for row, account in zip(rows, accounts, strict=True)
        for interval in account.intervals
    ]
    if values:
        session.execute(sa.insert(MemberIntervalRow), values)
