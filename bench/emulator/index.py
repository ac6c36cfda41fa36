"""Indexes derived from a world, rebuilt after each change, so requests never scan it.

Events are derived here too: one per opened or closed issue or pull request,
comment and submitted review in a public repo, numbered in time order. New
activity always happens after the old `now`, so event ids stay stable across
rebuilds.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum

from .model import Account, AccountType, Comment, Repository, Review, Thread, World

EVENT_ID_BASE = 52_000_000_000
EVENT_ID_STEP = 3


class EventType(StrEnum):
    ISSUES = "IssuesEvent"
    ISSUE_COMMENT = "IssueCommentEvent"
    PULL_REQUEST = "PullRequestEvent"
    PULL_REQUEST_REVIEW = "PullRequestReviewEvent"


@dataclass(slots=True, eq=False)
class Event:
    id: int
    type: EventType
    action: str
    actor: Account
    created_at: int
    thread: Thread
    comment: Comment | None = None
    review: Review | None = None


@dataclass(slots=True)
class _EventDraft:
    sort_key: tuple[int, int, int]
    type: EventType
    action: str
    actor: Account
    created_at: int
    thread: Thread
    comment: Comment | None = None
    review: Review | None = None


class WorldIndex:
    """Per-login lookups for search and events; built once per world version."""

    def __init__(self, world: World) -> None:
        self.version = world.version
        self.world = world
        public_threads = [thread for thread in world.threads if not thread.repo.private]
        self.public_threads = public_threads
        self.authored = _group_threads(public_threads, lambda thread: [thread.author])
        self.commented = _group_threads(
            public_threads, lambda thread: [comment.author for comment in thread.comments]
        )
        self.reviewed = _group_threads(
            public_threads, lambda thread: [review.author for review in thread.reviews if review.is_submitted]
        )
        self.events = build_events(public_threads)
        self.events_by_actor: dict[int, list[Event]] = {}
        for event in self.events:
            self.events_by_actor.setdefault(event.actor.id, []).append(event)
        self.event_times_by_actor = {
            actor_id: [event.created_at for event in events]
            for actor_id, events in self.events_by_actor.items()
        }
        self.people = [account for account in world.accounts if account.type is not AccountType.ORGANIZATION]
        self.repo_summaries = {repo.id: _summarize_repo(repo) for repo in world.repos}
        self.comment_ids = [comment.id for comment in world.comments]
        self.comments = world.comments

    def recent_events(self, actor: Account, since: int, until: int, cap: int) -> list[Event]:
        """The actor's events in [since, until), newest first, at most `cap`."""
        events = self.events_by_actor.get(actor.id, [])
        times = self.event_times_by_actor.get(actor.id, [])
        start = bisect_left(times, since)
        end = bisect_left(times, until)
        first = max(start, end - cap)
        return events[first:end][::-1]

    def account(self, login: str) -> Account | None:
        return self.world.account(login)

    def repo_summary(self, repo: Repository) -> tuple[int, int]:
        """Open issues and pull requests, and the last activity (stands in for `pushed_at`)."""
        return self.repo_summaries.get(repo.id) or _summarize_repo(repo)

    def comment_by_id(self, comment_id: int) -> Comment | None:
        position = bisect_left(self.comment_ids, comment_id)
        if position < len(self.comment_ids) and self.comment_ids[position] == comment_id:
            return self.comments[position]
        return None


def _summarize_repo(repo: Repository) -> tuple[int, int]:
    open_count = sum(1 for thread in repo.threads if thread.closed_at is None)
    last_activity = max((thread.updated_at for thread in repo.threads), default=repo.created_at)
    return open_count, last_activity


def _group_threads(
    threads: list[Thread], people_of: Callable[[Thread], list[Account]]
) -> dict[int, list[Thread]]:
    grouped: dict[int, dict[int, Thread]] = {}
    for thread in threads:
        for person in people_of(thread):
            grouped.setdefault(person.id, {})[thread.id] = thread
    return {person_id: list(by_id.values()) for person_id, by_id in grouped.items()}


def build_events(threads: list[Thread]) -> list[Event]:
    drafts: list[_EventDraft] = []
    for thread in threads:
        drafts.extend(_thread_event_drafts(thread))
    drafts.sort(key=lambda draft: draft.sort_key)
    return [
        Event(
            id=EVENT_ID_BASE + position * EVENT_ID_STEP,
            type=draft.type,
            action=draft.action,
            actor=draft.actor,
            created_at=draft.created_at,
            thread=draft.thread,
            comment=draft.comment,
            review=draft.review,
        )
        for position, draft in enumerate(drafts)
    ]


def _thread_event_drafts(thread: Thread) -> list[_EventDraft]:
    kind = EventType.PULL_REQUEST if thread.is_pull else EventType.ISSUES
    drafts = [
        _EventDraft(
            (thread.created_at, 0, thread.id), kind, "opened", thread.author, thread.created_at, thread
        )
    ]
    if thread.closed_at is not None:
        closer = thread.closed_by or thread.author
        drafts.append(
            _EventDraft((thread.closed_at, 1, thread.id), kind, "closed", closer, thread.closed_at, thread)
        )
    for comment in thread.comments:
        key = (comment.created_at, 2, comment.id)
        drafts.append(
            _EventDraft(
                key, EventType.ISSUE_COMMENT, "created", comment.author, comment.created_at, thread, comment
            )
        )
    for review in thread.reviews:
        if review.is_submitted and review.submitted_at is not None:
            key = (review.submitted_at, 3, review.id)
            drafts.append(
                _EventDraft(
                    key,
                    EventType.PULL_REQUEST_REVIEW,
                    "created",
                    review.author,
                    review.submitted_at,
                    thread,
                    review=review,
                )
            )
    return drafts


class QueryCache:
    """A small LRU of computed result lists, keyed by query and world version."""

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, list[Thread]] = OrderedDict()

    def get_or_compute(self, key: Hashable, compute: Callable[[], list[Thread]]) -> list[Thread]:
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        result = compute()
        self._entries[key] = result
        if len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return result
