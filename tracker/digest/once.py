"""Exactly once: a digest is claimed in the database before it is posted, under the digest lock.

Under the lock, a run reads what is recorded for (period, destination):
- posted: nothing to do (unless forced);
- nothing: claim it, post, record it posted with its ts;
- claimed or unknown (an earlier run sent it and never learnt the outcome, or died, or could
  not record it): with a bot token the digest carries Slack message metadata, so the run looks
  for it in the channel's history since that attempt; found, it is recorded and not posted
  again; not found, it is posted. A webhook cannot be asked: the run posts only with --force.
A post is never retried blindly: one whose outcome is unknown (5xx, timeout, connection dropped
after sending) is recorded as unknown for the next run to resolve as above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.cancel import Cancelled
from tracker.digest.text import period_phrase
from tracker.periods import Period, iso_utc
from tracker.slack.errors import SlackError, SlackOutcomeUnknown
from tracker.slack.history import HISTORY_PAGES, find_message
from tracker.slack.post import PostReceipt, post_message
from tracker.slack.targets import BotTarget, SlackTarget
from tracker.slack.waits import RETRIES, Waits
from tracker.store.digests import (
    DigestPostRow,
    DigestPostStatus,
    claim_digest_post,
    get_digest_post,
    record_digest_post,
    settle_digest_claim,
)
from tracker.store.engine import StoreError
from tracker.store.runs import DatabaseLock

DIGEST_LOCK = "digest"
EVENT_TYPE = "tracker_digest"
# Slack's clock and ours may disagree: the history is searched from a little before the attempt.
CLOCK_MARGIN = timedelta(minutes=10)


class Poster(Protocol):
    def __call__(
        self,
        target: SlackTarget,
        payload: Mapping[str, Any],
        *,
        metadata: Mapping[str, Any] | None,
        waits: Waits,
    ) -> PostReceipt: ...


class Finder(Protocol):
    def __call__(
        self,
        target: BotTarget,
        *,
        event_type: str,
        event_payload: Mapping[str, Any],
        since: datetime,
        waits: Waits,
    ) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SlackCalls:
    """How the digest reaches Slack: posting, finding an earlier post, and the limits on waiting."""

    waits: Waits
    post: Poster = post_message
    find: Finder = find_message


@dataclass(frozen=True, slots=True)
class Delivery:
    """Posted now (receipt), found in the channel from an earlier run (found_ts), or posted before."""

    receipt: PostReceipt | None = None
    found_ts: str | None = None
    earlier: DigestPostRow | None = None


class DigestPostError(Exception):
    """The digest was not posted, or may not have been; the message says what happens next."""


class DigestBusy(DigestPostError):
    """Another run holds the digest lock."""


class DigestOutcomeUnknown(DigestPostError):
    """The digest may be in the channel; nothing tells this run whether it is."""


def digest_metadata(period: Period, organization: str) -> dict[str, Any]:
    """Slack message metadata that identifies this digest in the channel's history."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"period": f"{period.kind} {iso_utc(period.start)}", "organization": organization},
    }


@dataclass(frozen=True, slots=True)
class _Digest:
    period: Period
    target: SlackTarget
    payload: Mapping[str, Any]
    metadata: dict[str, Any]

    @property
    def slot(self) -> dict[str, Any]:
        return {
            "period_kind": self.period.kind,
            "period_start": self.period.start,
            "destination": self.target.destination,
        }

    @property
    def what(self) -> str:
        return f"the digest for {period_phrase(self.period)} to {self.target.destination}"


def deliver_once(
    engine: Engine,
    *,
    period: Period,
    payload: Mapping[str, Any],
    organization: str,
    target: SlackTarget,
    slack: SlackCalls,
    force: bool,
    now: datetime,
) -> Delivery:
    """Post the digest unless this destination has it (or may have it); record what happened."""
    digest = _Digest(period, target, payload, digest_metadata(period, organization))
    with _digest_lock(engine, slack.waits) as lock:
        earlier = _recorded(engine, digest)
        if earlier is not None and not force:
            if earlier.status == DigestPostStatus.POSTED:
                return Delivery(earlier=earlier)
            found = _look_for_earlier_post(digest, earlier, slack)
            if found is not None:
                _record_posted(engine, digest, found, now)
                return Delivery(found_ts=found)
        lock.renew()
        return Delivery(receipt=_post_claimed(engine, digest, earlier, slack, now))


@contextmanager
def _digest_lock(engine: Engine, waits: Waits) -> Iterator[DatabaseLock]:
    # The lease outlasts the longest a post can take, so no other run takes over mid-post.
    longest = (
        RETRIES * waits.max_wait_seconds + (RETRIES + 1 + HISTORY_PAGES) * waits.request_deadline_seconds
    )
    lock = DatabaseLock(engine, DIGEST_LOCK, lease=timedelta(seconds=longest + 60))
    if not lock.acquire():
        holder = lock.holder()
        by = f" ({holder})" if holder else ""
        raise DigestBusy(f"another run{by} is posting a digest right now; nothing posted, try again later")
    try:
        yield lock
    finally:
        lock.release()


def _recorded(engine: Engine, digest: _Digest) -> DigestPostRow | None:
    with Session(engine) as session:
        return get_digest_post(session, **digest.slot)


def _look_for_earlier_post(digest: _Digest, earlier: DigestPostRow, slack: SlackCalls) -> str | None:
    """An earlier attempt's outcome is unknown: find its message, or refuse to guess."""
    if not isinstance(digest.target, BotTarget):
        raise DigestOutcomeUnknown(
            f"an earlier post of {digest.what} has no known outcome (Slack gave no clear answer); "
            "check the channel, then run with --force if it is missing; nothing posted"
        )
    try:
        return slack.find(
            digest.target,
            event_type=EVENT_TYPE,
            event_payload=digest.metadata["event_payload"],
            since=earlier.claimed_at - CLOCK_MARGIN,
            waits=slack.waits,
        )
    except SlackError as error:
        raise DigestPostError(
            f"could not check whether an earlier post of {digest.what} arrived: {error}; nothing posted "
            "(check the channel, then run with --force if it is missing)"
        ) from None


def _post_claimed(
    engine: Engine, digest: _Digest, earlier: DigestPostRow | None, slack: SlackCalls, now: datetime
) -> PostReceipt:
    """Claim, post, settle. A re-post of a posted digest (--force) leaves its record as it is
    until Slack accepts the new one."""
    before = DigestPostStatus(earlier.status) if earlier is not None else None
    claims = before != DigestPostStatus.POSTED
    if claims:
        _write(engine, lambda session: claim_digest_post(session, **_claim_fields(digest), claimed_at=now))
    metadata = digest.metadata if isinstance(digest.target, BotTarget) else None
    try:
        receipt = slack.post(digest.target, digest.payload, metadata=metadata, waits=slack.waits)
    except SlackOutcomeUnknown as error:
        if claims:
            _settle(engine, digest, DigestPostStatus.UNKNOWN)
        raise DigestOutcomeUnknown(f"{error}; {_next_run(digest.target)}") from None
    except (SlackError, Cancelled) as error:
        if claims:
            _settle(engine, digest, before)
        if isinstance(error, Cancelled):
            raise
        raise DigestPostError(f"{error}; nothing was posted, the next run will try again") from None
    _record_posted(engine, digest, receipt.ts, now, just_posted=True)
    return receipt


def _claim_fields(digest: _Digest) -> dict[str, Any]:
    return {**digest.slot, "period_end": digest.period.end}


def _settle(engine: Engine, digest: _Digest, status: DigestPostStatus | None) -> None:
    _write(engine, lambda session: settle_digest_claim(session, **digest.slot, status=status))


def _record_posted(
    engine: Engine, digest: _Digest, ts: str | None, now: datetime, *, just_posted: bool = False
) -> None:
    try:
        _write(
            engine,
            lambda session: record_digest_post(
                session, **_claim_fields(digest), message_ts=ts, posted_at=now
            ),
        )
    except sa.exc.SQLAlchemyError as error:
        detail = getattr(error, "orig", None) or error
        shown = f" (ts {ts})" if ts else ""
        done = "was posted" if just_posted else "is in the channel"
        raise StoreError(
            f"{digest.what}{shown} {done} but could not be recorded ({detail}); "
            f"{_next_run(digest.target, posted=True)}"
        ) from None


def _write(engine: Engine, change: Callable[[Session], object]) -> None:
    with Session(engine) as session:
        change(session)
        session.commit()


def _next_run(target: SlackTarget, *, posted: bool = False) -> str:
    if isinstance(target, BotTarget):
        if posted:
            return "the next run finds it in the channel's history and does not post it again"
        return "the next run looks for it in the channel's history before posting"
    look = "" if posted else "check the channel: "
    return f"{look}the next run does not post it again without --force"
