"""The repo gate: which repos count, decided on metadata that is kept at most a day old.

A repo is asked of GitHub at most once a day, with its ETag when it is known, so an unchanged
repo costs a free 304. The answers are remembered for the run in the context.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from tracker.domain import RepoRecord
from tracker.github.fetch import fetch_repo
from tracker.github.records import NotModified, RepoFetched
from tracker.rules import decide_repo, facts_of
from tracker.store import repos, sync_state
from tracker.sync.context import SyncContext

REPO_REFRESH_AFTER = timedelta(days=1)


def repo_counts(context: SyncContext, full_name: str) -> bool:
    """Whether contributions to the repo count, by the [repos] rules on its current metadata."""
    key = full_name.lower()
    if key not in context.repo_counts:
        record = _current_repo(context, full_name, context.clock())
        context.repo_counts[key] = decide_repo(context.rules, facts_of(record)).counts
    return context.repo_counts[key]


def refresh_named_repos(context: SyncContext) -> None:
    """Check that every repo named in [repos].include exists and is public; cache its metadata."""
    settings = context.settings
    named = [pattern for pattern in context.rules.include if not pattern.endswith("/*")]
    context.progress.phase("repos named in the configuration", len(named))
    for full_name in named:
        record = _current_repo(context, full_name, context.started_at)
        if not record.exists:
            context.warn(f"repo {full_name} ({settings.repo_source}) does not exist or is not visible")
        elif record.private:
            context.warn(f"repo {full_name} ({settings.repo_source}) is private and never counts")
        context.progress.advance()
    context.commit()


def refresh_counted_repos(context: SyncContext) -> None:
    """Keep counted repos' metadata (topics, license) current: a license change is news.
    Conditional requests make an unchanged repo free; each is asked at most once a day."""
    now = context.started_at
    stale = [
        record.full_name
        for record in repos.list_repos(context.session)
        if record.exists
        and now - record.fetched_at >= REPO_REFRESH_AFTER
        and decide_repo(context.rules, facts_of(record)).counts
    ]
    context.progress.phase("counted repos' metadata", len(stale))
    for full_name in stale:
        _current_repo(context, full_name, now)
        context.commit()
        context.progress.advance()


def _current_repo(context: SyncContext, full_name: str, now: datetime) -> RepoRecord:
    """The stored record when less than a day old, else asked again (with its ETag) and stored."""
    session = context.session
    known = repos.get_repo(session, full_name)
    if known is not None and now - known.fetched_at < REPO_REFRESH_AFTER:
        return known
    cache_key = f"/repos/{full_name.lower()}"
    cached = sync_state.get_cached_response(session, cache_key)
    etag = cached.etag if cached and known is not None else None
    match fetch_repo(context.client, full_name, etag=etag, fetched_at=now):
        case RepoFetched(record=record, etag=new_etag):
            if new_etag:
                sync_state.put_cached_response(session, url=cache_key, etag=new_etag, body=None, now=now)
        case NotModified() if known is not None:
            record = dataclasses.replace(known, fetched_at=now)
        case _:
            record = _missing_repo(full_name, now)
    repos.upsert_repo(session, record, key=full_name)
    return record


def _missing_repo(full_name: str, fetched_at: datetime) -> RepoRecord:
    """What is kept of a repo GitHub answers 404 for: it does not exist, or is not visible."""
    return RepoRecord(full_name, False, False, False, False, 0, (), None, None, False, None, fetched_at)
