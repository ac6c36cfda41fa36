"""The digest from end to end: period → counted contributions → content → message → post → record.

The only module that composes the store, the counting path, the pure digest and the Slack
adapter. Numbers come from `counting.counted_contributions`, one call per period, with one
`CountingContext` for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.config import Settings
from tracker.counting import QueryFilter, counted_contributions, counted_groups, counting_context
from tracker.digest.blocks import SlackMessage, build_message
from tracker.digest.content import (
    TREND_PERIODS,
    DigestContent,
    DigestFacts,
    PeriodContributions,
    PersonRepo,
    SyncStatus,
    build_digest,
    canonical_repo,
    earliest_merges,
    summarize_groups,
)
from tracker.digest.text import period_phrase
from tracker.domain import CountedContribution, CountedGroup, Kind, RepoRecord
from tracker.openness import LicenseChange
from tracker.periods import Period, PeriodKind, last_complete_period, local_time, trailing_periods
from tracker.rules import CountingContext
from tracker.slack.post import PostReceipt, SlackTarget, post_message, require_target
from tracker.store.contributions import first_merge_per_person_repo
from tracker.store.digests import DigestPostRow, get_digest_post, record_digest_post
from tracker.store.engine import StoreError
from tracker.store.repos import list_license_changes, list_repo_keys
from tracker.store.runs import last_successful_sync, last_sync_run

Poster = Callable[[SlackTarget, Mapping[str, Any]], PostReceipt]


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
    receipt: PostReceipt | None = None
    earlier: DigestPostRow | None = None

    def summary(self) -> str:
        what = f"the digest for {period_phrase(self.prepared.period)}"
        if self.receipt is not None:
            ts = f" (ts {self.receipt.ts})" if self.receipt.ts else ""
            return f"posted {what} to {self.destination}{ts}"
        when = local_time(self.earlier.posted_at, self.prepared.period.timezone) if self.earlier else "before"
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


def gather_facts(session: Session, settings: Settings, period: Period) -> DigestFacts:
    repos = list_repo_keys(session)
    context = counting_context(session, settings, repos)
    history = _history(session, settings, trailing_periods(period, TREND_PERIODS), context)
    return DigestFacts(
        org=settings.org,
        history=history,
        first_merges=_first_merges(session, context, history[-1].contributions, repos),
        repos=repos,
        license_changes=_license_changes(session, context),
        sync=_sync_status(session),
        has_teams=any(entry.team for entry in settings.roster),
        names={login: person.name for login, person in context.people_by_login.items() if person.name},
    )


def _history(
    session: Session, settings: Settings, periods: Sequence[Period], context: CountingContext
) -> list[PeriodContributions]:
    """Every period's numbers, counted in the database in one pass; in full, only what the
    digest shows one by one: the merged PRs of its own period."""
    edges = [each.start for each in periods] + [periods[-1].end]
    by_period: dict[int, list[CountedGroup]] = {index: [] for index in range(len(periods))}
    for group in counted_groups(session, settings, QueryFilter(), edges, context):
        by_period[group.bucket].append(group)
    current = periods[-1]
    merged = QueryFilter(since=current.start, until=current.end, kinds=frozenset({Kind.PR_MERGED}))
    history = [
        PeriodContributions(each, (), summarize_groups(by_period[i])) for i, each in enumerate(periods[:-1])
    ]
    rows = counted_contributions(session, settings, merged, context)
    history.append(PeriodContributions(current, rows, groups=by_period[len(periods) - 1]))
    return history


def _first_merges(
    session: Session,
    context: CountingContext,
    rows: Sequence[CountedContribution],
    repos: Mapping[str, RepoRecord],
) -> dict[PersonRepo, int]:
    merged = [row for row in rows if row.kind is Kind.PR_MERGED]
    if not merged:
        return {}
    people = {person for row in merged if (person := context.person_for(row.person)) is not None}
    wanted = {canonical_repo(repos, row.repo) for row in merged}
    repo_keys = {key for key in repos if canonical_repo(repos, key) in wanted} | wanted
    facts = first_merge_per_person_repo(
        session,
        logins={login.lower() for person in people for login in person.logins},
        repos=repo_keys,
    )
    return earliest_merges(facts, lambda login: _person_login(context, login), repos)


def _person_login(context: CountingContext, login: str) -> str | None:
    person = context.person_for(login)
    return person.login if person is not None else None


def _license_changes(session: Session, context: CountingContext) -> list[LicenseChange]:
    return [
        LicenseChange(row.full_name, row.old_license, row.new_license, row.seen_at)
        for row in list_license_changes(session)
        if row.repo_key in context.counted_repos
    ]


def _sync_status(session: Session) -> SyncStatus:
    last = last_sync_run(session)
    success = last_successful_sync(session)
    return SyncStatus(
        last_success_finished_at=success.finished_at if success else None,
        last_run_status=last.status if last else None,
        last_run_started_at=last.started_at if last else None,
    )


# --- posting ------------------------------------------------------------------------------------


def post_digest(
    engine: Engine,
    settings: Settings,
    request: DigestRequest,
    target: SlackTarget,
    *,
    force: bool = False,
    post: Poster = post_message,
) -> DigestOutcome:
    """Post the digest unless this destination already has it; record what Slack accepted."""
    with Session(engine) as session:
        prepared = prepare_digest(session, settings, request)
        earlier = _earlier_post(session, prepared.period, target.destination)
    if earlier is not None and not force:
        return DigestOutcome(prepared, target.destination, earlier=earlier)
    receipt = post(target, prepared.message.payload())
    _record(engine, prepared.period, receipt, request.now)
    return DigestOutcome(prepared, target.destination, receipt=receipt)


def post_scheduled_digest(
    engine: Engine, settings: Settings, *, environ: Mapping[str, str], now: datetime
) -> DigestOutcome:
    """The scheduled job's digest: the last complete [digest] period, to the configured destination.

    Raises SlackSetupError when no destination is configured and SlackError when Slack refuses.
    """
    target = require_target(environ, channel=settings.slack.channel, api_url=settings.slack.api_url)
    request = DigestRequest(kind=settings.digest.period, end=now, now=now)
    return post_digest(engine, settings, request, target)


def _earlier_post(session: Session, period: Period, destination: str) -> DigestPostRow | None:
    return get_digest_post(
        session, period_kind=period.kind, period_start=period.start, destination=destination
    )


def _record(engine: Engine, period: Period, receipt: PostReceipt, now: datetime) -> None:
    try:
        with Session(engine) as session:
            record_digest_post(
                session,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                destination=receipt.destination,
                message_ts=receipt.ts,
                posted_at=now,
            )
            session.commit()
    except sa.exc.SQLAlchemyError as error:
        detail = getattr(error, "orig", None) or error
        raise StoreError(
            f"the digest was posted to {receipt.destination} but could not be recorded ({detail}); "
            "the next run will post it again"
        ) from None
