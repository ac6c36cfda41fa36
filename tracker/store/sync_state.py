"""What a sync keeps between runs to resume where it stopped: per-login cursors, the durable fetch
queue, the open pull requests it rechecks, the HTTP (ETag) cache and the history start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.store.tables import (
    ContributionRow,
    FetchTaskRow,
    HttpCacheRow,
    LoginCursorRow,
    OpenPullRequestRow,
    StateRow,
)
from tracker.store.text import storable_or_none

# Bulk DELETEs need not be matched against every object the session holds (quadratic on a
# queue of thousands of tasks): callers do not use deleted objects afterwards.
_NO_SYNC = {"synchronize_session": False}
HISTORY_START_KEY = "history_start"


# Login cursors -------------------------------------------------------------------------------


def get_cursor(session: Session, login: str) -> LoginCursorRow:
    row = session.get(LoginCursorRow, login.lower())
    return row if row is not None else LoginCursorRow(login_key=login.lower())


def save_cursor(session: Session, cursor: LoginCursorRow) -> None:
    session.merge(cursor)


# The fetch queue -----------------------------------------------------------------------------


def enqueue_fetch(
    session: Session,
    *,
    what: str,
    repo: str,
    number: int,
    since: datetime,
    title: str | None = None,
    subject_author: str | None = None,
) -> None:
    """Queue a detail fetch; a task already queued keeps the earlier of the two `since`."""
    existing = session.exec(
        select(FetchTaskRow).where(
            FetchTaskRow.what == what, FetchTaskRow.repo_key == repo.lower(), FetchTaskRow.number == number
        )
    ).first()
    if existing is None:
        existing = FetchTaskRow(what=what, repo=repo, repo_key=repo.lower(), number=number, since=since)
    existing.since = min(existing.since, since)
    existing.title = storable_or_none(title) or existing.title
    existing.subject_author = subject_author or existing.subject_author
    session.add(existing)


@dataclass(frozen=True, slots=True)
class FetchTask:
    """A queued detail fetch, as a plain value (the queue can hold thousands)."""

    id: int
    what: str
    repo: str
    repo_key: str
    number: int
    since: datetime
    title: str | None
    subject_author: str | None


_FETCH_TASK: sa.Table = FetchTaskRow.__table__  # type: ignore[attr-defined]
_FETCH_TASK_COLUMNS = ("id", "what", "repo", "repo_key", "number", "since", "title", "subject_author")


def count_fetch_tasks(session: Session) -> int:
    return int(session.connection().execute(sa.select(sa.func.count()).select_from(_FETCH_TASK)).scalar_one())


def list_fetch_tasks(
    session: Session,
    *,
    after_id: int = 0,
    limit: int | None = None,
    what: str | None = None,
    repo_key: str | None = None,
) -> list[FetchTask]:
    """Queued tasks in queue order, a page at a time (`after_id`, `limit`): a large
    organization's first backfill can queue hundreds of thousands."""
    table = _FETCH_TASK
    statement = (
        sa.select(*(table.c[name] for name in _FETCH_TASK_COLUMNS))
        .where(table.c.id > after_id)
        .order_by(table.c.id)
        .limit(limit)
    )
    if what is not None:
        statement = statement.where(table.c.what == what)
    if repo_key is not None:
        statement = statement.where(table.c.repo_key == repo_key)
    return [FetchTask(*row) for row in session.connection().execute(statement)]


def repos_with_titled_tasks(session: Session, *, what: str, at_least: int) -> list[str]:
    """Repo keys with at least `at_least` queued tasks of a kind whose issue title is known."""
    table = _FETCH_TASK
    statement = (
        sa.select(table.c.repo_key)
        .where(table.c.what == what, table.c.title.is_not(None))
        .group_by(table.c.repo_key)
        .having(sa.func.count() >= at_least)
        .order_by(sa.func.min(table.c.id))
    )
    return list(session.connection().execute(statement).scalars())


def delete_fetch_task(session: Session, task_id: int) -> None:
    session.execute(
        sa.delete(FetchTaskRow).where(col(FetchTaskRow.id) == task_id), execution_options=_NO_SYNC
    )


# Open pull requests --------------------------------------------------------------------------


def track_open_pull_request(
    session: Session, *, repo: str, number: int, etag: str | None, last_modified: datetime | None = None
) -> None:
    """Track (or keep tracking) an open PR; a validator given as None keeps the stored one."""
    row = session.get(OpenPullRequestRow, (repo.lower(), number))
    if row is None:
        row = OpenPullRequestRow(repo_key=repo.lower(), number=number, repo=repo)
    if etag is not None:
        row.etag = etag
    if last_modified is not None:
        row.last_modified = last_modified
    session.add(row)


def forget_open_pull_request(session: Session, *, repo: str, number: int) -> None:
    session.execute(
        sa.delete(OpenPullRequestRow).where(
            col(OpenPullRequestRow.repo_key) == repo.lower(), col(OpenPullRequestRow.number) == number
        ),
        execution_options=_NO_SYNC,
    )


@dataclass(frozen=True, slots=True)
class OpenPullRequest:
    """`author` is the login that opened it (lower-cased), when its pr_opened is stored."""

    repo: str
    number: int
    etag: str | None
    last_modified: datetime | None
    author: str | None = None


def list_open_pull_requests(session: Session) -> list[OpenPullRequest]:
    opened = ContributionRow.__table__  # type: ignore[attr-defined]
    pull = OpenPullRequestRow.__table__  # type: ignore[attr-defined]
    author = (
        sa.select(sa.func.min(opened.c.login))
        .where(opened.c.repo_key == pull.c.repo_key, opened.c.number == pull.c.number)
        .where(opened.c.kind == "pr_opened")
        .scalar_subquery()
    )
    statement = sa.select(pull.c.repo, pull.c.number, pull.c.etag, pull.c.last_modified, author).order_by(
        pull.c.repo_key
    )
    return [OpenPullRequest(*row) for row in session.connection().execute(statement)]


# HTTP cache ------------------------------------------------------------------------------------


def get_cached_response(session: Session, url: str) -> HttpCacheRow | None:
    return session.get(HttpCacheRow, url)


def put_cached_response(session: Session, *, url: str, etag: str, body: str | None, now: datetime) -> None:
    session.merge(HttpCacheRow(url=url, etag=etag, body=body, stored_at=now))


class SessionEtagCache:
    """The store side of the GitHub fetchers' ETag cache (validators and replayable bodies)."""

    def __init__(self, session: Session, now: datetime) -> None:
        self._session = session
        self._now = now

    def get(self, key: str) -> tuple[str, str | None] | None:
        row = get_cached_response(self._session, key)
        return (row.etag, row.body) if row is not None else None

    def put(self, key: str, etag: str, body: str | None) -> None:
        put_cached_response(self._session, url=key, etag=etag, body=body, now=self._now)


# State ---------------------------------------------------------------------------------------


def get_state(session: Session, key: str) -> str | None:
    row = session.get(StateRow, key)
    return row.value if row is not None else None


def set_state(session: Session, key: str, value: str) -> None:
    session.merge(StateRow(key=key, value=value))


def get_history_start(session: Session) -> datetime | None:
    value = get_state(session, HISTORY_START_KEY)
    return datetime.fromisoformat(value) if value else None


def set_history_start(session: Session, start: datetime) -> None:
    current = get_history_start(session)
    if current is None or start < current:
        set_state(session, HISTORY_START_KEY, start.isoformat())
