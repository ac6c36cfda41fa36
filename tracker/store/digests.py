"""The record of posted digests: one row per (period, destination), so a digest posts once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from tracker.store.tables import utc_column


class DigestPostRow(SQLModel, table=True):
    """A digest that Slack accepted. `destination` is "channel:<channel>" or "webhook", never a URL."""

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
    message_ts: str | None = Field(default=None, max_length=64)
    posted_at: datetime = Field(sa_column=utc_column())


def get_digest_post(
    session: Session, *, period_kind: str, period_start: datetime, destination: str
) -> DigestPostRow | None:
    statement = select(DigestPostRow).where(
        col(DigestPostRow.period_kind) == period_kind,
        col(DigestPostRow.period_start) == period_start,
        col(DigestPostRow.destination) == destination,
    )
    return session.exec(statement).first()


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
    """Record a post; a forced re-post of the same period and destination replaces the record."""
    row = get_digest_post(
        session, period_kind=period_kind, period_start=period_start, destination=destination
    ) or DigestPostRow(
        period_kind=period_kind,
        period_start=period_start,
        period_end=period_end,
        destination=destination,
        posted_at=posted_at,
    )
    row.period_end = period_end
    row.message_ts = message_ts
    row.posted_at = posted_at
    session.add(row)
    return row
