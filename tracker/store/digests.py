"""The record of digests sent to Slack: one row per (period, destination), so a digest posts once.

A row is written (claimed) before the digest is posted, under the digest lock, and becomes
"posted" (with the message's ts) once Slack accepts it, or "unknown" when the message was sent
but no clear answer came back. A claim that is still "claimed" when the next run holds the lock
belongs to a run that ended without knowing its outcome: it counts as unknown.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from tracker.store.tables import utc_column


class DigestPostStatus(StrEnum):
    CLAIMED = "claimed"
    POSTED = "posted"
    UNKNOWN = "unknown"


class DigestPostRow(SQLModel, table=True):
    """A digest for one period and destination. `destination` is "channel:<channel>" or "webhook",
    never a URL; `claimed_at` is when the first attempt to post it began."""

    __tablename__ = "digest_post"
    __table_args__ = (
        sa.UniqueConstraint(
            "period_kind", "period_start", "destination", name="uq_digest_post_period_destination"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_kind: str = Field(max_length=16)
    period_start: datetime = Field(sa_column=utc_column())
    period_end: datetime = Field(sa_column=utc_column())
    destination: str = Field(max_length=200)
    status: str = Field(default=DigestPostStatus.POSTED, max_length=16)
    message_ts: str | None = Field(default=None, max_length=64)
    claimed_at: datetime = Field(sa_column=utc_column())
    posted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


def get_digest_post(
    session: Session, *, period_kind: str, period_start: datetime, destination: str
) -> DigestPostRow | None:
    statement = select(DigestPostRow).where(
        col(DigestPostRow.period_kind) == period_kind,
        col(DigestPostRow.period_start) == period_start,
        col(DigestPostRow.destination) == destination,
    )
    return session.exec(statement).first()


def claim_digest_post(
    session: Session,
    *,
    period_kind: str,
    period_start: datetime,
    period_end: datetime,
    destination: str,
    claimed_at: datetime,
) -> DigestPostRow:
    """Mark the digest as being posted now; an earlier attempt keeps its `claimed_at`."""
    row = get_digest_post(
        session, period_kind=period_kind, period_start=period_start, destination=destination
    ) or DigestPostRow(
        period_kind=period_kind,
        period_start=period_start,
        period_end=period_end,
        destination=destination,
        claimed_at=claimed_at,
    )
    row.status = DigestPostStatus.CLAIMED
    session.add(row)
    return row


def record_digest_post(
    session: Session,
    *,
    period_kind: str,
    period_start: datetime,
    period_end: datetime,
    destination: str,
    message_ts: str | None,
    posted_at: datetime,
) -> DigestPostRow:
    """Record a post Slack accepted; a forced re-post of the same period and destination replaces it."""
    row = get_digest_post(
        session, period_kind=period_kind, period_start=period_start, destination=destination
    ) or DigestPostRow(
        period_kind=period_kind,
        period_start=period_start,
        period_end=period_end,
        destination=destination,
        claimed_at=posted_at,
    )
    row.status = DigestPostStatus.POSTED
    row.period_end = period_end
    row.message_ts = message_ts
    row.posted_at = posted_at
    session.add(row)
    return row


def settle_digest_claim(
    session: Session,
    *,
    period_kind: str,
    period_start: datetime,
    destination: str,
    status: DigestPostStatus | None,
) -> None:
    """End a claim: `status` UNKNOWN after a post without a clear answer, the row's earlier status
    after a post that certainly failed, or None to remove a claim that was the first attempt."""
    row = get_digest_post(
        session, period_kind=period_kind, period_start=period_start, destination=destination
    )
    if row is None or row.status != DigestPostStatus.CLAIMED:
        return
    if status is None:
        session.delete(row)
        return
    row.status = status
    session.add(row)
