"""Each login's activity: searched in full the first time (or with --since), then followed
through its public events feed, with search filling any gap the feed cannot cover.

Only a person's membership is fetched: a joiner's search starts where their membership does
(never their earlier history), and someone who left is fetched up to the end of their
membership, then no more. A login's cursor (`complete_from`..`complete_until`) moves only after
everything it covers is committed or queued; the comments and reviews found by search wait in
the fetch queue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from tracker.domain import LOGIN_RULE, is_github_login
from tracker.github.errors import SearchLimitError
from tracker.github.fetch import fetch_user_events
from tracker.github.records import (
    CommentCreated,
    CommentToFetch,
    EventsFetched,
    IssueOpened,
    IssueSummary,
    IssueToFetch,
    Missing,
    ReviewToFetch,
    UserEvent,
)
from tracker.github.search import search_issues, search_qualifiers
from tracker.membership import Interval, first_member_moment, membership_span
from tracker.rules import Person
from tracker.store import sync_state
from tracker.store.tables import LoginCursorRow
from tracker.sync.context import SyncContext
from tracker.sync.contributions import build_comment_contribution
from tracker.sync.fetch_queue import COMMENTS, ISSUE, REVIEWS
from tracker.sync.people import start_of
from tracker.sync.recording import record_authored, record_contributions
from tracker.sync.repos import current_name, event_repo_name, repo_counts
from tracker.sync.reviews import queue_reviews, store_reviews_by_graphql

EVENT_OVERLAP = timedelta(hours=1)
GITHUB_EPOCH = datetime(2008, 1, 1, tzinfo=UTC)
EVENTS_TRUSTED_FOR = timedelta(days=29)


def sync_activity(context: SyncContext, people: list[Person], since: date | None) -> None:
    membership = {login: person.membership for person in people for login in person.current_logins}
    logins = sorted(membership, key=str.lower)
    context.progress.phase("people's activity", len(logins))
    for login in logins:
        try:
            _sync_login(context, login, membership[login], since)
        except SearchLimitError as error:
            context.session.rollback()
            context.warn(
                f"GitHub refused to search the activity of {login} ({error}): is the login right? skipped"
            )
        context.progress.advance()


def _sync_login(
    context: SyncContext, login: str, membership: tuple[Interval, ...], since: date | None
) -> None:
    """Search a new login (or everyone, with --since), catch up with what the feed cannot
    cover, then follow the feed of someone who is still a member. A login GitHub listed that is
    not a GitHub login (`fay author:x` would smuggle a qualifier into the searches) is skipped."""
    if not is_github_login(login):
        context.warn(f"{login[:60]!r} is not a GitHub login ({LOGIN_RULE}); its activity is not searched")
        return
    now = context.started_at
    span = membership_span(membership, start=context.history_start, end=now)
    if span is None:
        return  # a member only before the stored history begins
    first, last = span
    cursor = sync_state.get_cursor(context.session, login)
    if since is not None or cursor.complete_until is None or (cursor.complete_from or first) > first:
        begin = max(start_of(since), first) if since is not None else first
        _search_from(context, login, cursor, begin, last)
    else:
        _catch_up(context, login, cursor, membership, last)
    if last == now:
        _follow_events(context, login, cursor, membership)


def _search_from(
    context: SyncContext, login: str, cursor: LoginCursorRow, begin: datetime, last: datetime
) -> None:
    """A login's first search, a search again with --since, or from a membership start the
    roster moved earlier; a newcomer's open pull requests too, however old."""
    _search_login(context, login, begin)
    if begin > context.history_start and last == context.started_at:
        _track_open_pull_requests(context, login)
    _advance_cursor(context, cursor, begin, last)


def _catch_up(
    context: SyncContext, login: str, cursor: LoginCursorRow, membership: tuple[Interval, ...], last: datetime
) -> None:
    """Search what the events feed cannot cover: the rest of a leaver's membership (up to now:
    a PR opened before they left may have been updated since), or a gap longer than the feed's
    retention. Someone back after a gap has their open pull requests, forgotten meanwhile,
    followed again."""
    assert cursor.complete_until is not None
    now = context.started_at
    resume = _resume_point(membership, cursor)
    if resume > cursor.complete_until and last == now:
        _track_open_pull_requests(context, login)
    if cursor.complete_until < last and (last < now or now - cursor.complete_until > EVENTS_TRUSTED_FOR):
        _search_login(context, login, resume)
        _advance_cursor(context, cursor, resume, last)


def _resume_point(membership: tuple[Interval, ...], cursor: LoginCursorRow) -> datetime:
    """Where a login's known history resumes: an hour before its cursor's end, or, when the
    cursor ends in a gap between two memberships, where the next one starts."""
    assert cursor.complete_until is not None
    back = first_member_moment(membership, cursor.complete_until)
    if back is not None and back > cursor.complete_until:
        return back
    return cursor.complete_until - EVENT_OVERLAP


def _advance_cursor(context: SyncContext, cursor: LoginCursorRow, start: datetime, end: datetime) -> None:
    """Everything from `start` to `end` is stored or queued: say so, durably."""
    cursor.complete_from = min(start, cursor.complete_from or start)
    cursor.complete_until = max(end, cursor.complete_until or end)
    sync_state.save_cursor(context.session, cursor)
    context.commit()


# Search ---------------------------------------------------------------------------------------


def _search_login(context: SyncContext, login: str, start: datetime) -> None:
    """Everything the login authored, commented on or reviewed, updated since `start`.

    Authored issues are stored at once; the comments are queued, and the reviews too unless
    GraphQL search reads them at once ([sync] graphql); each unit committed.
    """
    context.summary.logins_searched += 1
    queries = search_qualifiers(login)
    for issue in _search(context, queries["authored"], start):
        record_authored(context, issue)
    context.commit()
    for issue in _search(context, queries["commented"], start):
        if repo_counts(context, issue.repo):
            sync_state.enqueue_fetch(
                context.session,
                what=COMMENTS,
                repo=current_name(context, issue.repo),
                number=issue.number,
                since=start,
                title=issue.title,
            )
    context.commit()
    if context.settings.graphql and store_reviews_by_graphql(context, login, start):
        return
    for issue in _search(context, queries["reviewed"], start):
        queue_reviews(context, issue, start)
    context.commit()


def _track_open_pull_requests(context: SyncContext, login: str) -> None:
    """The pull requests of a newcomer (or of someone back) that are still open, however old: the
    open-PR re-check follows them from now on, so that one merged while they are a member counts
    (a merge by someone else leaves no event in their feed, and search began at their joining)."""
    for issue in _search(context, search_qualifiers(login)["open_pull_requests"], GITHUB_EPOCH):
        record_authored(context, issue)
    context.commit()


def _search(context: SyncContext, qualifiers: str, start: datetime) -> Iterator[IssueSummary]:
    return search_issues(context.client, qualifiers, start=start, end=context.started_at, report=context.warn)


# Events ---------------------------------------------------------------------------------------


def _follow_events(
    context: SyncContext, login: str, cursor: LoginCursorRow, membership: tuple[Interval, ...]
) -> None:
    """The feed since the cursor's end, with its ETag: unchanged, it is a free 304."""
    since = _resume_point(membership, cursor)
    feed = fetch_user_events(
        context.client, login, etag=cursor.events_etag, since=since, now=context.started_at
    )
    if isinstance(feed, Missing):
        context.warn(f"GitHub user {login} not found (renamed or deleted); skipped")
        return
    if isinstance(feed, EventsFetched):
        if not feed.covers_since:
            _search_login(context, login, since)
        for event in feed.events:
            _take_event(context, event)
        context.commit()
        cursor.events_etag = feed.etag
    _advance_cursor(context, cursor, cursor.complete_from or since, context.started_at)


def _take_event(context: SyncContext, event: UserEvent) -> None:
    """Store what the event carries in full; queue the fetch of what it only names. All of it
    under the repo's current name: an event keeps the name the repo had when it happened."""
    named = event_repo_name(context, event)
    if not repo_counts(context, named):
        return
    session, repo, start = context.session, current_name(context, named), context.history_start
    match event.activity:
        case IssueOpened(issue=issue):
            record_authored(context, dataclasses.replace(issue, repo=repo))
        case IssueToFetch(number=number):
            sync_state.enqueue_fetch(session, what=ISSUE, repo=repo, number=number, since=start)
        case CommentCreated(number=number, title=title, comment=comment):
            found = build_comment_contribution(comment, repo, number, title)
            if found is not None and context.is_tracked(found.login):
                record_contributions(context, [found])
        case CommentToFetch(number=number, created_at=created_at):
            since = max(start, (created_at or start) - EVENT_OVERLAP)
            sync_state.enqueue_fetch(session, what=COMMENTS, repo=repo, number=number, since=since)
        case ReviewToFetch(number=number, submitted_at=submitted_at):
            since = max(start, (submitted_at or start) - EVENT_OVERLAP)
            sync_state.enqueue_fetch(session, what=REVIEWS, repo=repo, number=number, since=since)
