"""The digest from end to end: period -> facts -> content -> message -> post, exactly once -> record.

It composes the facts read from the store, the pure content, text and blocks, and the Slack
transport. A digest is posted at most once per period and destination (see `once.py`): a later
run finds the record, or the message in the channel, and posts nothing (unless forced).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.cancel import Cancelled, CancelToken
from tracker.config import Settings
from tracker.digest.blocks import SlackMessage, build_message
from tracker.digest.content import DigestContent, build_digest
from tracker.digest.facts import gather_facts
from tracker.digest.once import Delivery, Finder, Poster, SlackCalls, deliver_once
from tracker.digest.text import period_phrase
from tracker.periods import Period, PeriodKind, last_complete_period, local_time
from tracker.slack.history import find_message
from tracker.slack.post import PostReceipt, post_message
from tracker.slack.targets import SlackTarget, require_target, target_from_environment
from tracker.slack.waits import Waits
from tracker.store.digests import DigestPostRow

log = logging.getLogger("tracker")


class PeriodNotOver(ValueError):
    """The period asked for has not ended yet."""


@dataclass(frozen=True, slots=True)
class DigestRequest:
    kind: PeriodKind
    end: datetime
    now: datetime


@dataclass(frozen=True, slots=True)
class PreparedDigest:
    content: DigestContent
    message: SlackMessage

    @property
    def period(self) -> Period:
        return self.content.period


@dataclass(frozen=True, slots=True)
class DigestOutcome:
    prepared: PreparedDigest
    destination: str
    delivery: Delivery

    @property
    def receipt(self) -> PostReceipt | None:
        return self.delivery.receipt

    @property
    def earlier(self) -> DigestPostRow | None:
        return self.delivery.earlier

    def summary(self) -> str:
        what = f"the digest for {period_phrase(self.prepared.period)}"
        if self.receipt is not None:
            ts = f" (ts {self.receipt.ts})" if self.receipt.ts else ""
            return f"posted {what} to {self.destination}{ts}"
        if self.delivery.found_ts is not None:
            return (
                f"{what} is already in {self.destination} (ts {self.delivery.found_ts}), posted by an "
                "earlier run that got no clear answer; recorded it, nothing posted"
            )
        moment = self.earlier.posted_at if self.earlier else None
        when = local_time(moment, self.prepared.period.timezone) if moment else "before"
        return (
            f"{what} was already posted to {self.destination} on {when}; "
            "nothing posted (use --force to post it again)"
        )


def digest_period(settings: Settings, request: DigestRequest) -> Period:
    period = last_complete_period(request.kind, request.end, settings.digest.timezone)
    if period.end > request.now:
        raise PeriodNotOver(f"{period_phrase(period)} is not over yet")
    return period


# --- preparing ----------------------------------------------------------------------------------


def preview_digest(engine: Engine, settings: Settings, request: DigestRequest) -> PreparedDigest:
    with Session(engine) as session:
        return prepare_digest(session, settings, request)


def prepare_digest(session: Session, settings: Settings, request: DigestRequest) -> PreparedDigest:
    facts = gather_facts(session, settings, digest_period(settings, request))
    content = build_digest(facts, highlights=settings.digest.highlights, now=request.now)
    return PreparedDigest(content, build_message(content, now=request.now))


# --- posting ------------------------------------------------------------------------------------


def post_digest(
    engine: Engine,
    settings: Settings,
    request: DigestRequest,
    target: SlackTarget,
    *,
    force: bool = False,
    cancel: CancelToken | None = None,
    post: Poster = post_message,
    find: Finder = find_message,
) -> DigestOutcome:
    """Post the digest unless this destination has it (or may have it); record what happened.

    Raises DigestPostError when it was not posted or may not have been, saying what happens next.
    """
    with Session(engine) as session:
        prepared = prepare_digest(session, settings, request)
    waits = Waits(max_wait_seconds=settings.slack.max_wait_seconds, cancel=cancel or CancelToken())
    delivery = deliver_once(
        engine,
        period=prepared.period,
        payload=prepared.message.payload(),
        organization=settings.org,
        target=target,
        slack=SlackCalls(waits, post=post, find=find),
        force=force,
        now=request.now,
    )
    return DigestOutcome(prepared, target.destination, delivery)


def post_scheduled_digest(
    engine: Engine,
    settings: Settings,
    *,
    environ: Mapping[str, str],
    now: datetime,
    cancel: CancelToken | None = None,
) -> DigestOutcome:
    """The scheduled job's digest: the last complete [digest] period, to the configured destination.

    Raises SlackSetupError when no destination is configured and DigestPostError when it was not
    posted; a stop request ends any wait for Slack (Cancelled).
    """
    target = require_target(environ, channel=settings.slack.channel, api_url=settings.slack.api_url)
    request = DigestRequest(kind=settings.digest.period, end=now, now=now)
    return post_digest(engine, settings, request, target, cancel=cancel)


def scheduled_digest_job(
    engine: Engine,
    settings: Settings,
    *,
    environ: Mapping[str, str],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    cancel: CancelToken | None = None,
) -> Callable[[], None] | None:
    """The scheduler's digest job, which posts and logs what it did; None, with a warning, when no
    Slack destination is configured (the scheduler then runs without it). A stop request (the
    scheduler's SIGTERM) ends any wait for Slack at once, so the scheduler stops within seconds."""
    channel, api_url = settings.slack.channel, settings.slack.api_url
    if target_from_environment(environ, channel=channel, api_url=api_url) is None:
        log.warning("no Slack destination (SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL): the digest job is off")
        return None

    def run_digest() -> None:
        try:
            outcome = post_scheduled_digest(engine, settings, environ=environ, now=clock(), cancel=cancel)
        except Cancelled:
            log.info("digest stopped while it waited for Slack; nothing posted", extra={"job": "digest"})
            return
        log.info(outcome.summary(), extra={"job": "digest"})

    return run_digest
