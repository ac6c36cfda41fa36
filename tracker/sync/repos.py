"""The repo gate: which repos count, decided on metadata that is kept at most a day old.

A repo is asked of GitHub at most once a day, with its ETag when it is known, so an unchanged
repo costs a free 304. The answers are remembered for the run in the context.

A repo is one repo under every name it has had: the store knows it by GitHub's id, the names
that lead to it, and its current name, which is the one the sync stores and queues work under.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from tracker.domain import RepoRecord
from tracker.github.fetch import fetch_repo
from tracker.github.records import NotModified, RepoFetched, UserEvent
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


def current_name(context: SyncContext, full_name: str) -> str:
    """The name the repo has now, as far as the store knows (the same when it is not known)."""
    known = repos.identify_repo(context.session, full_name)
    return known.full_name if known is not None else full_name


def event_repo_name(context: SyncContext, event: UserEvent) -> str:
    """The name to look the event's repo up by. An event keeps the name its repo had when it
    happened: a name the store knows leads to the repo; an unknown one is the repo's current
    name when the store learnt it after the event (no request then), else it is asked of GitHub
    (a newer name, or an older one answered with a 301). A name that leads to another repo than
    the event's id (the name was taken again) gives way to the id."""
    session, name, github_id = context.session, event.repo, event.repo_id
    known = repos.identify_repo(session, name)
    if github_id is None or (known is not None and known.github_id in (None, github_id)):
        return name
    by_id = repos.identify_repo_by_github_id(session, github_id)
    if by_id is None or not by_id.exists:
        return name
    if known is not None or (event.created_at is not None and event.created_at <= by_id.fetched_at):
        return by_id.full_name
    return name


def refresh_named_repos(context: SyncContext) -> None:
    """Check that every repo named in [repos].include exists and is public; cache its metadata."""
    settings = context.settings
    named = [pattern for pattern in context.rules.include if not pattern.endswith("/*")]
    context.progress.phase("repos named in the configuration", len(named))
    for full_name in named:
        record = _current_repo(context, full_name, context.started_at)
        if not record.exists:
            # Said once, not every hour: the store remembers it until the repo is seen again.
            if repos.claim_missing_warning(context.session, full_name):
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
    # Without GitHub's id (stored before ids were kept), the body is needed: no ETag then.
    etag = cached.etag if cached and known is not None and known.github_id is not None else None
    match fetch_repo(context.client, full_name, etag=etag, fetched_at=now):
        case RepoFetched(record=record, etag=new_etag):
            if new_etag:
                sync_state.put_cached_response(session, url=cache_key, etag=new_etag, body=None, now=now)
        case NotModified() if known is not None:
            record = dataclasses.replace(known, fetched_at=now)
        case _:
            record = _missing_repo(full_name, now)
    before = repos.upsert_repo(session, record, key=full_name)
    if before is not None and record.exists and before.full_name != record.full_name:
        # Renamed or moved: the rules decide again, for every name of the run, on what it is now.
        context.repo_counts.clear()
    return record


def _missing_repo(full_name: str, fetched_at: datetime) -> RepoRecord:
    """What is kept of a repo GitHub answers 404 for: it does not exist, or is not visible."""
    return RepoRecord(full_name, False, False, False, False, 0, (), None, None, False, None, fetched_at)
