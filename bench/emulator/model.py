"""The synthetic world the emulator serves: plain records linked by reference.

Times are UTC epoch seconds (`int`) everywhere inside; they become ISO strings
only when rendered. Ids are assigned by `World.commit`, in time order, so that
every kind of id grows with time the way GitHub's do.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

THREAD_ID_BASE = 2_600_000_000
COMMENT_ID_BASE = 3_100_000_000
REVIEW_ID_BASE = 2_900_000_000
PULL_ID_BASE = 1_700_000_000
ID_STEP = 7

DEFAULT_NOW = "2026-11-28T00:00:00Z"


class AccountType(StrEnum):
    USER = "User"
    BOT = "Bot"
    ORGANIZATION = "Organization"


class ReviewState(StrEnum):
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    COMMENTED = "COMMENTED"
    DISMISSED = "DISMISSED"
    PENDING = "PENDING"


@dataclass(slots=True, eq=False)
class Account:
    id: int
    login: str
    type: AccountType
    name: str
    created_at: int
    is_member: bool = False
    is_public_member: bool = False


@dataclass(frozen=True, slots=True)
class License:
    key: str
    name: str
    spdx_id: str
    url: str | None
    node_id: str


@dataclass(slots=True, eq=False)
class Repository:
    id: int
    owner: Account
    name: str
    description: str
    topics: tuple[str, ...]
    license: License | None
    created_at: int
    fork: bool = False
    parent: Repository | None = None
    archived: bool = False
    private: bool = False
    stargazers_count: int = 0
    forks_count: int = 0
    language: str | None = "Python"
    threads: list[Thread] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def thread_by_number(self, number: int) -> Thread | None:
        if 1 <= number <= len(self.threads):
            return self.threads[number - 1]
        return None


@dataclass(slots=True, eq=False)
class Thread:
    """An issue or a pull request: they share one number sequence per repo."""

    repo: Repository
    author: Account
    is_pull: bool
    title: str
    created_at: int
    labels: tuple[int, ...] = ()
    closed_at: int | None = None
    merged_at: int | None = None
    closed_by: Account | None = None
    state_reason: str | None = None
    draft: bool = False
    id: int = 0
    number: int = 0
    updated_at: int = 0
    comments: list[Comment] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)

    @property
    def pull_id(self) -> int:
        """The pull request's own id, distinct from its issue id."""
        return PULL_ID_BASE + (self.id - THREAD_ID_BASE)

    def is_open_at(self, moment: int) -> bool:
        return self.closed_at is None or self.closed_at > moment

    def comments_at(self, moment: int) -> int:
        return bisect_right([comment.created_at for comment in self.comments], moment)


@dataclass(slots=True, eq=False)
class Comment:
    thread: Thread
    author: Account
    created_at: int
    updated_at: int
    id: int = 0


@dataclass(slots=True, eq=False)
class Review:
    """A pull request review; a PENDING one has no `submitted_at`."""

    thread: Thread
    author: Account
    state: ReviewState
    started_at: int
    submitted_at: int | None
    id: int = 0

    @property
    def is_submitted(self) -> bool:
        return self.state is not ReviewState.PENDING and self.submitted_at is not None


@dataclass(slots=True)
class World:
    """Everything the emulator knows. Lists only grow; `version` counts changes."""

    org: Account
    now: int
    seed: int = 0
    accounts: list[Account] = field(default_factory=list)
    repos: list[Repository] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    version: int = 0
    accounts_by_login: dict[str, Account] = field(default_factory=dict)
    repos_by_name: dict[str, Repository] = field(default_factory=dict)

    def add_account(self, account: Account) -> Account:
        self.accounts.append(account)
        self.accounts_by_login[account.login.lower()] = account
        return account

    def add_repo(self, repo: Repository) -> Repository:
        self.repos.append(repo)
        self.repos_by_name[repo.full_name.lower()] = repo
        return repo

    def account(self, login: str) -> Account | None:
        return self.accounts_by_login.get(login.lower())

    def repo(self, owner: str, name: str) -> Repository | None:
        return self.repos_by_name.get(f"{owner}/{name}".lower())

    @property
    def members(self) -> list[Account]:
        return [account for account in self.accounts if account.is_member]

    def change_membership(self, *, join: Sequence[str] = (), leave: Sequence[str] = ()) -> None:
        """Accounts join or leave the organization (as public members when they join); no record
        changes, so only the member listings answer differently."""
        found = {login: self.account(login) for login in (*join, *leave)}
        missing = [login for login, account in found.items() if account is None]
        if missing:
            raise ValueError(f"no such account: {', '.join(missing)}")
        for login in join:
            account = found[login]
            assert account is not None
            account.is_member = account.is_public_member = True
        for login in leave:
            account = found[login]
            assert account is not None
            account.is_member = account.is_public_member = False

    def commit(self, threads: list[Thread], comments: list[Comment], reviews: list[Review]) -> None:
        """Adds new records: ids and numbers continue in time order, `updated_at` follows."""
        for thread in sorted(threads, key=lambda thread: thread.created_at):
            thread.id = _next_id(self.threads, THREAD_ID_BASE)
            thread.number = len(thread.repo.threads) + 1
            thread.repo.threads.append(thread)
            self.threads.append(thread)
        for comment in sorted(comments, key=lambda comment: comment.created_at):
            comment.id = _next_id(self.comments, COMMENT_ID_BASE)
            comment.thread.comments.append(comment)
            self.comments.append(comment)
        for review in sorted(reviews, key=review_time):
            review.id = _next_id(self.reviews, REVIEW_ID_BASE)
            review.thread.reviews.append(review)
            self.reviews.append(review)
        touched = {id(t): t for t in [*threads, *(c.thread for c in comments), *(r.thread for r in reviews)]}
        for thread in touched.values():
            refresh_updated_at(thread)
        self.version += 1


def review_time(review: Review) -> int:
    return review.submitted_at if review.submitted_at is not None else review.started_at


def refresh_updated_at(thread: Thread) -> None:
    moments = [thread.created_at, thread.closed_at or 0, thread.merged_at or 0]
    moments.extend(comment.updated_at for comment in thread.comments)
    moments.extend(review.submitted_at for review in thread.reviews if review.submitted_at is not None)
    thread.updated_at = max(moments)


def _next_id(existing: list[Thread] | list[Comment] | list[Review], base: int) -> int:
    return existing[-1].id + ID_STEP if existing else base


def parse_time(text: str) -> int:
    """ISO 8601 date or datetime (with `Z`, an offset, or none meaning UTC) to epoch seconds."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def format_time(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_datetime(moment: int) -> datetime:
    return datetime.fromtimestamp(moment, UTC)
