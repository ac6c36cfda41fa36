"""What the fetchers hand back: typed, immutable records of what GitHub said.

Raw JSON never leaves `github/`; neither do ETags' mechanics: a conditional fetch answers with
one of its explicit outcomes (fetched, `NotModified`, `Missing`). Organization members and
repos are `tracker.domain` values (`OrgMember`, `RepoRecord`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.domain import RepoRecord


@dataclass(frozen=True, slots=True)
class IssueSummary:
    """What the issue/PR listing, search and single-issue endpoints all say about one issue."""

    github_id: int
    repo: str
    number: int
    title: str
    url: str
    author: str | None
    author_type: str | None
    is_pull_request: bool
    state: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comment:
    """A conversation comment; `author` is None for a deleted account (`user: null`)."""

    github_id: int
    author: str | None
    url: str
    created_at: datetime
    issue_number: int | None


@dataclass(frozen=True, slots=True)
class Review:
    """A pull request review; a pending one has no `submitted_at`."""

    github_id: int
    author: str | None
    state: str
    url: str
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReviewedPullRequest:
    """A pull request found by GraphQL search, with its reviews (the first 100: `reviews_complete`
    is false when it has more, which are then read through REST)."""

    repo: str
    number: int
    title: str
    author: str | None
    reviews: tuple[Review, ...]
    reviews_complete: bool


# Events of a user's public feed ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueOpened:
    """An IssuesEvent `opened` whose payload carries the whole issue."""

    issue: IssueSummary


@dataclass(frozen=True, slots=True)
class IssueToFetch:
    """An issue or PR an event names without its details (a trimmed IssuesEvent, a PullRequestEvent)."""

    number: int


@dataclass(frozen=True, slots=True)
class CommentCreated:
    """An IssueCommentEvent `created` whose payload carries the comment and the issue's title."""

    number: int
    title: str
    comment: Comment


@dataclass(frozen=True, slots=True)
class CommentToFetch:
    """An IssueCommentEvent `created` whose payload is trimmed: the comments are read from the issue."""

    number: int
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReviewToFetch:
    """A PullRequestReviewEvent: the PR's reviews are read from the PR."""

    number: int
    submitted_at: datetime | None


Activity = IssueOpened | IssueToFetch | CommentCreated | CommentToFetch | ReviewToFetch


@dataclass(frozen=True, slots=True)
class UserEvent:
    """An event of a kind that can carry a contribution, in the repo it happened in.

    `activity` is None for an action that carries none (an issue closed, a comment edited).
    `repo` is the name the repo had when the event happened (a renamed repo's old events keep
    the old name); `repo_id` is GitHub's id of the repo, the same under every name.
    """

    repo: str
    created_at: datetime | None
    activity: Activity | None
    repo_id: int | None = None


# Outcomes of conditional fetches --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304: nothing changed since the validator sent; free of rate limit. `etag` is the one it names."""

    etag: str | None


@dataclass(frozen=True, slots=True)
class Missing:
    """A 404: it does not exist, or the token cannot see it."""


@dataclass(frozen=True, slots=True)
class RepoFetched:
    record: RepoRecord
    etag: str | None


@dataclass(frozen=True, slots=True)
class IssueFetched:
    issue: IssueSummary
    etag: str | None
    last_modified: datetime | None


@dataclass(frozen=True, slots=True)
class EventsFetched:
    """A user's public events newer than asked for, oldest first.

    `covers_since` is true when the events reach back to the time asked for, or when the
    feed holds all of the user's recent events; otherwise something may be missing and
    search must fill the gap.
    """

    etag: str | None
    events: list[UserEvent]
    covers_since: bool
