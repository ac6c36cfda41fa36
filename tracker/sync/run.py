"""run_sync(): the one way to run a sync, from the CLI and from the scheduler alike.

The jobs run in order, each committing its own units of work: people, the history start, the
repo gate, each login's activity, the queued detail fetches, the open PRs. The run is recorded
(ok, stopped or failed) with the request figures, whatever happens.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.cancel import Cancelled, CancelToken
from tracker.config import Settings
from tracker.github.client import GitHubClient
from tracker.store import runs
from tracker.store.tables import SyncRunRow
from tracker.sync.activity import sync_activity
from tracker.sync.context import SyncContext, SyncProgress
from tracker.sync.fetch_queue import drain_fetch_queue
from tracker.sync.open_prs import recheck_open_pull_requests
from tracker.sync.people import settle_history_start, sync_people
from tracker.sync.repos import refresh_counted_repos, refresh_named_repos
from tracker.sync.summary import SyncSummary


def sync_with_github(
    *,
    settings: Settings,
    engine: Engine,
    token: str,
    progress: SyncProgress,
    cancel: CancelToken,
    since: date | None = None,
    accept_membership_change: bool = False,
) -> SyncSummary | None:
    """run_sync() with a GitHub client of its own, built from the settings and closed afterwards."""
    client = GitHubClient(
        token=token,
        api_url=settings.api_url,
        report=progress.say,
        cancel=cancel,
        max_wait=settings.max_wait_seconds,
    )
    try:
        return run_sync(
            settings=settings,
            engine=engine,
            client=client,
            progress=progress,
            since=since,
            accept_membership_change=accept_membership_change,
            cancel=cancel,
        )
    finally:
        client.close()


def run_sync(
    *,
    settings: Settings,
    engine: Engine,
    client: GitHubClient,
    progress: SyncProgress,
    since: date | None = None,
    accept_membership_change: bool = False,
    cancel: CancelToken | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SyncSummary | None:
    """One sync under the database lock; None when another process holds it.

    `since` searches everyone's history again from that day; `accept_membership_change` applies
    a member listing that the safety rule holds back. Raises Cancelled when `cancel` stops the
    run at a commit point.
    """
    lock = runs.DatabaseLock(engine)
    if not lock.acquire():
        holder = lock.holder()
        progress.say(
            "another sync is running on this database" + (f" ({holder})" if holder else "") + "; skipped"
        )
        return None
    try:
        with Session(engine, expire_on_commit=False) as session:
            context = SyncContext(
                session=session,
                client=client,
                settings=settings,
                progress=progress,
                clock=clock,
                cancel=cancel or CancelToken(),
                heartbeat=lock.renew,
                started_at=clock().replace(microsecond=0),
                accept_membership_change=accept_membership_change,
            )
            return _recorded_run(context, since)
    finally:
        lock.release()


def _recorded_run(context: SyncContext, since: date | None) -> SyncSummary:
    session = context.session
    run = runs.start_sync_run(session, now=context.started_at)
    try:
        _run_jobs(context, since)
    except Cancelled:
        session.rollback()
        _finish(context, run, status="stopped", error="stopped at a safe point")
        raise
    except BaseException as error:
        session.rollback()
        _finish(context, run, status="failed", error=_short(error))
        raise
    _finish(context, run, status="ok", error=None)
    return context.summary


def _run_jobs(context: SyncContext, since: date | None) -> None:
    people = sync_people(context)
    context.history_start = settle_history_start(context, since)
    refresh_named_repos(context)
    refresh_counted_repos(context)
    sync_activity(context, people, since)
    drain_fetch_queue(context)
    recheck_open_pull_requests(context)


def _finish(context: SyncContext, run: SyncRunRow, *, status: str, error: str | None) -> None:
    summary = context.summary
    summary.take_request_stats(context.client.stats)
    run.status = status
    run.error = error
    run.finished_at = context.clock()
    run.new = summary.new
    run.updated = summary.updated
    run.requests = summary.requests
    run.not_modified = summary.not_modified
    run.waited_seconds = summary.waited_seconds
    run.caps_hit = dict(summary.caps_hit)
    context.session.add(run)
    context.session.commit()


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return json.dumps(text)[1:-1][:500]
