"""The sync: cursor → fetch → classify → upsert → advance the cursor.

Every unit of work (one search query's results, one detail fetch, one PR re-check) is
committed on its own, and a login's cursor moves only after everything it covers is
committed; details still to fetch sit in a durable queue. A sync killed at any moment
resumes where it stopped and never stores a contribution twice.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.cancel import Cancelled, CancelToken
from tracker.config import Settings
from tracker.domain import Contribution, RepoRecord
from tracker.github.client import GitHubClient
from tracker.github.errors import NotFoundError, SearchLimitError
from tracker.github.fetch import (
    fetch_issue,
    fetch_issue_comments,
    fetch_issue_if_changed,
    fetch_org_members,
    fetch_pull_reviews,
    fetch_repo,
    fetch_user_events,
    list_repo_comments,
)
from tracker.github.records import (
    CommentCreated,
    CommentToFetch,
    EventsFetched,
    IssueFetched,
    IssueOpened,
    IssueSummary,
    IssueToFetch,
    Missing,
    NotModified,
    RepoFetched,
    ReviewToFetch,
    UserEvent,
)
from tracker.github.search import search_issues, search_qualifiers
from tracker.rules import Person, build_people, decide_repo, facts_of
from tracker.store.contributions import upsert_contributions
from tracker.store.members import replace_org_members
from tracker.store.repos import get_repo, list_repos, upsert_repo
from tracker.store.runs import DatabaseLock, start_sync_run
from tracker.store.sync_state import (
    FetchTask,
    OpenPullRequest,
    SessionEtagCache,
    count_fetch_tasks,
    delete_fetch_task,
    enqueue_fetch,
    forget_open_pull_request,
    get_cached_response,
    get_cursor,
    get_history_start,
    list_fetch_tasks,
    list_open_pull_requests,
    put_cached_response,
    repos_with_titled_tasks,
    save_cursor,
    set_history_start,
    track_open_pull_request,
)
from tracker.store.tables import LoginCursorRow, SyncRunRow
from tracker.sync.contributions import (
    build_comment_contribution,
    build_issue_contributions,
    build_review_contribution,
)

EVENT_OVERLAP = timedelta(hours=1)
EVENTS_TRUSTED_FOR = timedelta(days=29)
REPO_REFRESH_AFTER = timedelta(days=1)
COMMENTS, REVIEWS, ISSUE = "comments", "reviews", "issue"


class SyncProgress(Protocol):
    def phase(self, description: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def say(self, message: str) -> None: ...


@dataclass
class SyncSummary:
    new: int = 0
    updated: int = 0
    requests: int = 0
    not_modified: int = 0
    waited_seconds: float = 0.0
    people: int = 0
    logins_searched: int = 0
    details_fetched: int = 0
    warnings: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, int | float]:
        return {
            "new": self.new,
            "updated": self.updated,
            "requests": self.requests,
            "not_modified": self.not_modified,
            "rate_limited": self.requests - self.not_modified,
            "waited_seconds": round(self.waited_seconds, 1),
            "people": self.people,
        }

    def line(self) -> str:
        return (
            f"sync done: {self.new} new and {self.updated} updated contributions; "
            f"{self.requests} requests ({self.not_modified} answered 304, free; "
            f"{self.requests - self.not_modified} counted against the rate limit); "
            f"{_duration(self.waited_seconds)} waited for rate limits; {self.people} people"
        )


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


class Syncer:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        client: GitHubClient,
        progress: SyncProgress,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cancel: CancelToken | None = None,
        heartbeat: Callable[[], None] = lambda: None,
    ) -> None:
        self._cancel = cancel or CancelToken()
        self._heartbeat = heartbeat
        self._settings = settings
        self._engine = engine
        self._client = client
        self._progress = progress
        self._clock = clock
        self._rules = settings.repo_rules
        self._repo_counts: dict[str, bool] = {}
        self._summary = SyncSummary()
        self._tracked: set[str] = set()
        self._history_start = datetime.min.replace(tzinfo=UTC)

    def run(self, *, since: date | None = None) -> SyncSummary:
        now = self._clock().replace(microsecond=0)
        with Session(self._engine, expire_on_commit=False) as session:
            run = start_sync_run(session, now=now)
            try:
                self._run(session, since, now)
            except Cancelled:
                session.rollback()
                self._finish(session, run, status="stopped", error="stopped at a safe point")
                raise
            except BaseException as error:
                session.rollback()
                self._finish(session, run, status="failed", error=_short(error))
                raise
            self._finish(session, run, status="ok", error=None)
        return self._summary

    def _run(self, session: Session, since: date | None, now: datetime) -> None:
        people = self._sync_people(session, now)
        self._history_start = self._settle_history_start(session, since, now)
        self._refresh_named_repos(session, now)
        self._refresh_counted_repos(session, now)
        self._sync_logins(session, people, since, now)
        self._drain_fetch_queue(session)
        self._recheck_open_pull_requests(session)

    # People ------------------------------------------------------------------------------------

    def _sync_people(self, session: Session, now: datetime) -> list[Person]:
        self._progress.phase("organization members", 1)
        cache = SessionEtagCache(session, now)
        members = fetch_org_members(self._client, self._settings.org, cache)
        replace_org_members(session, members, now=now)
        self._commit(session)
        self._progress.advance()
        people = build_people(members, self._settings.roster, self._settings.exclude)
        self._tracked = {login.lower() for person in people for login in person.logins}
        self._summary.people = len(people)
        if not people:
            self._warn(
                f"nobody to track: {self._settings.org} shows no members to this token "
                "and the roster is empty (run `tracker doctor`)"
            )
        return people

    def _settle_history_start(self, session: Session, since: date | None, now: datetime) -> datetime:
        stored = get_history_start(session)
        if since is not None:
            wanted = _start_of(since)
        elif stored is None:
            wanted = datetime.combine(
                (now - timedelta(days=self._settings.backfill_days)).date(), time.min, tzinfo=UTC
            )
        else:
            return stored
        set_history_start(session, wanted)
        self._commit(session)
        return min(wanted, stored) if stored else wanted

    # Repos -------------------------------------------------------------------------------------

    def _refresh_named_repos(self, session: Session, now: datetime) -> None:
        """Check that every repo named in [repos].include exists and is public; cache its metadata."""
        named = [pattern for pattern in self._rules.include if not pattern.endswith("/*")]
        self._progress.phase("repos named in the configuration", len(named))
        for full_name in named:
            record = self._repo(session, full_name, now)
            if not record.exists:
                self._warn(
                    f"repo {full_name} ({self._settings.repo_source}) does not exist or is not visible"
                )
            elif record.private:
                self._warn(f"repo {full_name} ({self._settings.repo_source}) is private and never counts")
            self._progress.advance()
        self._commit(session)

    def _refresh_counted_repos(self, session: Session, now: datetime) -> None:
        """Keep counted repos' metadata (topics, license) current: a license change is news.
        Conditional requests make an unchanged repo free; each is asked at most once a day."""
        stale = [
            record.full_name
            for record in list_repos(session)
            if record.exists
            and now - record.fetched_at >= REPO_REFRESH_AFTER
            and decide_repo(self._rules, facts_of(record)).counts
        ]
        self._progress.phase("counted repos' metadata", len(stale))
        for full_name in stale:
            self._repo(session, full_name, now)
            self._commit(session)
            self._progress.advance()

    def _repo(self, session: Session, full_name: str, now: datetime) -> RepoRecord:
        known = get_repo(session, full_name)
        if known is not None and now - known.fetched_at < REPO_REFRESH_AFTER:
            return known
        cache_key = f"/repos/{full_name.lower()}"
        cached = get_cached_response(session, cache_key)
        etag = cached.etag if cached and known is not None else None
        match fetch_repo(self._client, full_name, etag=etag, fetched_at=now):
            case RepoFetched(record=record, etag=new_etag):
                if new_etag:
                    put_cached_response(session, url=cache_key, etag=new_etag, body=None, now=now)
            case NotModified() if known is not None:
                record = _refreshed(known, now)
            case _:
                record = missing_repo(full_name, now)
        upsert_repo(session, record, key=full_name)
        return record

    def _counts(self, session: Session, full_name: str) -> bool:
        key = full_name.lower()
        if key not in self._repo_counts:
            record = self._repo(session, full_name, self._clock())
            self._repo_counts[key] = decide_repo(self._rules, facts_of(record)).counts
        return self._repo_counts[key]

    # Logins ------------------------------------------------------------------------------------

    def _sync_logins(self, session: Session, people: list[Person], since: date | None, now: datetime) -> None:
        logins = sorted({login for person in people for login in person.logins}, key=str.lower)
        self._progress.phase("people's activity", len(logins))
        for login in logins:
            self._sync_login(session, login, since, now)
            self._progress.advance()

    def _sync_login(self, session: Session, login: str, since: date | None, now: datetime) -> None:
        try:
            self._sync_login_activity(session, login, since, now)
        except SearchLimitError as error:
            session.rollback()
            self._warn(
                f"GitHub refused to search the activity of {login} ({error}): is the login right? skipped"
            )

    def _sync_login_activity(self, session: Session, login: str, since: date | None, now: datetime) -> None:
        cursor = get_cursor(session, login)
        start = self._history_start
        rescan_from = _start_of(since) if since is not None else None
        if cursor.complete_until is None or rescan_from is not None:
            begin = rescan_from or start
            self._search_login(session, login, begin, now)
            self._advance_cursor(session, cursor, begin, now)
        else:
            if now - cursor.complete_until > EVENTS_TRUSTED_FOR:
                # Events older than the feed's retention may have come and gone unseen.
                self._search_login(session, login, cursor.complete_until - EVENT_OVERLAP, now)
                self._advance_cursor(session, cursor, start, now)
        self._follow_events(session, login, cursor, now)

    def _advance_cursor(
        self, session: Session, cursor: LoginCursorRow, start: datetime, end: datetime
    ) -> None:
        cursor.complete_from = min(start, cursor.complete_from or start)
        cursor.complete_until = max(end, cursor.complete_until or end)
        save_cursor(session, cursor)
        self._commit(session)

    def _commit(self, session: Session) -> None:
        """Commit one unit of work; the only places where the sync may stop or renew its lock."""
        session.commit()
        self._heartbeat()
        self._cancel.raise_if_requested()

    def _follow_events(self, session: Session, login: str, cursor: LoginCursorRow, now: datetime) -> None:
        assert cursor.complete_until is not None
        since = cursor.complete_until - EVENT_OVERLAP
        result = fetch_user_events(self._client, login, etag=cursor.events_etag, since=since, now=now)
        if isinstance(result, Missing):
            self._warn(f"GitHub user {login} not found (renamed or deleted); skipped")
            return
        if isinstance(result, EventsFetched):
            if not result.covers_since:
                self._search_login(session, login, since, now)
            for event in result.events:
                self._take_event(session, event)
            self._commit(session)
            cursor.events_etag = result.etag
        self._advance_cursor(session, cursor, cursor.complete_from or since, now)

    def _search_login(self, session: Session, login: str, start: datetime, end: datetime) -> None:
        self._summary.logins_searched += 1
        queries = search_qualifiers(login)
        for issue in search_issues(
            self._client, queries["authored"], start=start, end=end, report=self._warn
        ):
            self._take_authored(session, issue)
        self._commit(session)
        for issue in search_issues(
            self._client, queries["commented"], start=start, end=end, report=self._warn
        ):
            if self._counts(session, issue.repo):
                enqueue_fetch(
                    session,
                    what=COMMENTS,
                    repo=issue.repo,
                    number=issue.number,
                    since=start,
                    title=issue.title,
                )
        self._commit(session)
        for issue in search_issues(
            self._client, queries["reviewed"], start=start, end=end, report=self._warn
        ):
            if self._counts(session, issue.repo):
                enqueue_fetch(
                    session,
                    what=REVIEWS,
                    repo=issue.repo,
                    number=issue.number,
                    since=start,
                    title=issue.title,
                    subject_author=issue.author,
                )
        self._commit(session)

    def _take_authored(self, session: Session, issue: IssueSummary) -> None:
        if issue.author is None or issue.author.lower() not in self._tracked:
            return
        if not self._counts(session, issue.repo):
            return
        self._save(session, build_issue_contributions(issue, self._rules.labels_meaning_merged(issue.repo)))
        if issue.is_pull_request and issue.state == "open":
            # Its updated_at makes the first re-check conditional (If-Modified-Since), so free.
            track_open_pull_request(
                session, repo=issue.repo, number=issue.number, etag=None, last_modified=issue.updated_at
            )
        elif issue.is_pull_request:
            forget_open_pull_request(session, repo=issue.repo, number=issue.number)

    def _take_event(self, session: Session, event: UserEvent) -> None:
        if not self._counts(session, event.repo):
            return
        start = self._history_start
        match event.activity:
            case IssueOpened(issue=issue):
                self._take_authored(session, issue)
            case IssueToFetch(number=number):
                enqueue_fetch(session, what=ISSUE, repo=event.repo, number=number, since=start)
            case CommentCreated(number=number, title=title, comment=comment):
                contribution = build_comment_contribution(comment, event.repo, number, title)
                if contribution is not None and contribution.login.lower() in self._tracked:
                    self._save(session, [contribution])
            case CommentToFetch(number=number, created_at=created_at):
                since = max(start, (created_at or start) - EVENT_OVERLAP)
                enqueue_fetch(session, what=COMMENTS, repo=event.repo, number=number, since=since)
            case ReviewToFetch(number=number, submitted_at=submitted_at):
                since = max(start, (submitted_at or start) - EVENT_OVERLAP)
                enqueue_fetch(session, what=REVIEWS, repo=event.repo, number=number, since=since)

    # Details -----------------------------------------------------------------------------------

    def _drain_fetch_queue(self, session: Session) -> None:
        """Run the queued detail fetches, read a page at a time (the queue is not held in memory).

        Repos with several issues' comments to fetch go first, each through one listing of
        the repo's comments when that is cheaper; then every other task in queue order.
        """
        self._progress.phase("comments, reviews and pull requests", count_fetch_tasks(session))
        for repo_key in repos_with_titled_tasks(session, what=COMMENTS, at_least=REPO_LISTING_MIN_ISSUES):
            group = [
                task
                for task in list_fetch_tasks(session, what=COMMENTS, repo_key=repo_key)
                if task.title is not None
            ]
            if self._counts(session, group[0].repo):
                self._comments_from_repo_listing(session, group)
        last_id = 0
        while tasks := list_fetch_tasks(session, after_id=last_id, limit=TASK_PAGE):
            for task in tasks:
                self._run_task(session, task)
                self._finish_tasks(session, [task])
            last_id = tasks[-1].id

    def _finish_tasks(self, session: Session, tasks: list[FetchTask]) -> None:
        for task in tasks:
            delete_fetch_task(session, task.id)
        self._commit(session)
        self._summary.details_fetched += len(tasks)
        self._progress.advance(len(tasks))

    def _comments_from_repo_listing(self, session: Session, group: list[FetchTask]) -> bool:
        """One listing of the repo's comments instead of one request per issue, when it is cheaper.

        Sizing the listing costs one request; if it has more pages than there are issues to
        ask, the issues are asked one by one instead.
        """
        repo = group[0].repo
        listing = list_repo_comments(self._client, repo, since=min(task.since for task in group))
        if listing.pages >= len(group):
            return False
        titles = {task.number: task.title or "" for task in group}
        found = []
        for comment in listing.items:
            number = comment.issue_number
            if number in titles and (comment.author or "").lower() in self._tracked:
                contribution = build_comment_contribution(comment, repo, number, titles[number])
                if contribution is not None:
                    found.append(contribution)
        self._save(session, found)
        self._finish_tasks(session, group)
        return True

    def _run_task(self, session: Session, task: FetchTask) -> None:
        if not self._counts(session, task.repo):
            return
        try:
            if task.what == ISSUE:
                self._take_authored(session, self._issue(task.repo, task.number))
                return
            title, author = task.title, task.subject_author
            if title is None or (task.what == REVIEWS and author is None):
                issue = self._issue(task.repo, task.number)
                title, author = issue.title, issue.author
            if task.what == COMMENTS:
                self._save(session, self._comments(task, title))
            elif task.what == REVIEWS:
                self._save(session, self._reviews(task, title, author))
        except NotFoundError:
            self._warn(f"{task.repo}#{task.number} is gone (deleted or moved); skipped")

    def _issue(self, repo: str, number: int) -> IssueSummary:
        return fetch_issue(self._client, repo, number)

    def _comments(self, task: FetchTask, title: str) -> list[Contribution]:
        found = []
        for comment in fetch_issue_comments(self._client, task.repo, task.number, since=task.since):
            if (comment.author or "").lower() in self._tracked:
                contribution = build_comment_contribution(comment, task.repo, task.number, title)
                if contribution is not None:
                    found.append(contribution)
        return found

    def _reviews(self, task: FetchTask, title: str, author: str | None) -> list[Contribution]:
        found = []
        for review in fetch_pull_reviews(self._client, task.repo, task.number):
            if (review.author or "").lower() in self._tracked:
                contribution = build_review_contribution(review, task.repo, task.number, title, author)
                if contribution is not None and contribution.occurred_at >= task.since:
                    found.append(contribution)
        return found

    def _recheck_open_pull_requests(self, session: Session) -> None:
        """A member's PR merged by someone else leaves no event in the member's feed: ask the PR,
        conditionally, so an unchanged one costs nothing."""
        open_prs = list_open_pull_requests(session)
        self._progress.phase("open pull requests", len(open_prs))
        for pr in open_prs:
            self._recheck_open_pull_request(session, pr)
            self._commit(session)
            self._progress.advance()

    def _recheck_open_pull_request(self, session: Session, pr: OpenPullRequest) -> None:
        """With its ETag, or else the `updated_at` search showed: a 304 means nothing changed."""
        match fetch_issue_if_changed(
            self._client, pr.repo, pr.number, etag=pr.etag, modified_since=pr.last_modified
        ):
            case Missing():
                forget_open_pull_request(session, repo=pr.repo, number=pr.number)
            case NotModified(etag=etag):
                if etag and etag != pr.etag:
                    # The 304 of an If-Modified-Since still names the ETag: later checks use it.
                    track_open_pull_request(session, repo=pr.repo, number=pr.number, etag=etag)
            case IssueFetched(issue=issue, etag=etag, last_modified=last_modified):
                self._take_authored(session, issue)
                if issue.state == "open":
                    track_open_pull_request(
                        session,
                        repo=pr.repo,
                        number=pr.number,
                        etag=etag,
                        last_modified=last_modified or issue.updated_at,
                    )
                else:
                    forget_open_pull_request(session, repo=pr.repo, number=pr.number)

    # Bookkeeping -------------------------------------------------------------------------------

    def _save(self, session: Session, contributions: Iterable[Contribution]) -> None:
        kept = [c for c in contributions if c.occurred_at >= self._history_start]
        result = upsert_contributions(session, kept, now=self._clock())
        self._summary.new += result.new
        self._summary.updated += result.updated

    def _warn(self, message: str) -> None:
        self._summary.warnings.append(message)
        self._progress.say(message)

    def _finish(self, session: Session, run: SyncRunRow, *, status: str, error: str | None) -> None:
        stats = self._client.stats
        self._summary.requests = stats.requests
        self._summary.not_modified = stats.not_modified
        self._summary.waited_seconds = stats.waited_seconds
        run.status = status
        run.error = error
        run.finished_at = self._clock()
        run.new = self._summary.new
        run.updated = self._summary.updated
        run.requests = stats.requests
        run.not_modified = stats.not_modified
        run.waited_seconds = stats.waited_seconds
        session.add(run)
        session.commit()


REPO_LISTING_MIN_ISSUES = 3
TASK_PAGE = 500


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def missing_repo(full_name: str, fetched_at: datetime) -> RepoRecord:
    """What is kept of a repo GitHub answers 404 for: it does not exist, or is not visible."""
    return RepoRecord(full_name, False, False, False, False, 0, (), None, None, False, None, fetched_at)


def _refreshed(record: RepoRecord, now: datetime) -> RepoRecord:
    return dataclasses.replace(record, fetched_at=now)


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return json.dumps(text)[1:-1][:500]


def sync_once(
    *,
    settings: Settings,
    engine: Engine,
    client: GitHubClient,
    progress: SyncProgress,
    since: date | None = None,
    cancel: CancelToken | None = None,
) -> SyncSummary | None:
    """One sync under the database lock; None when another process holds it."""
    lock = DatabaseLock(engine)
    if not lock.acquire():
        holder = lock.holder()
        progress.say(
            "another sync is running on this database" + (f" ({holder})" if holder else "") + "; skipped"
        )
        return None
    try:
        syncer = Syncer(
            settings=settings,
            engine=engine,
            client=client,
            progress=progress,
            cancel=cancel,
            heartbeat=lock.renew,
        )
        return syncer.run(since=since)
    finally:
        lock.release()
