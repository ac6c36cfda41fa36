"""The one object a sync run's jobs share: where to read, where to write, what is known so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlmodel import Session

from tracker.cancel import CancelToken
from tracker.config import Settings
from tracker.github.client import GitHubClient
from tracker.membership import Interval, reaches
from tracker.rules import RepoRules
from tracker.sync.summary import SyncSummary

BEFORE_ANY_HISTORY = datetime.min.replace(tzinfo=UTC)


class SyncProgress(Protocol):
    def phase(self, description: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...

    def say(self, message: str) -> None: ...


@dataclass
class SyncContext:
    """One run: its session and GitHub client, its settings and clock, and what it has learnt.

    `started_at` is the run's start (whole seconds), the end of what this run asks for;
    `clock` is the time now. `accept_membership_change` applies a suspect member listing.
    `memberships` (every tracked login, lower-cased, to its person's membership intervals) and
    `history_start` are set by the people phase; `repo_counts` remembers the repo gate's answers
    for the run.
    """

    session: Session
    client: GitHubClient
    settings: Settings
    progress: SyncProgress
    clock: Callable[[], datetime]
    cancel: CancelToken
    heartbeat: Callable[[], None]
    started_at: datetime
    accept_membership_change: bool = False
    summary: SyncSummary = field(default_factory=SyncSummary)
    memberships: dict[str, tuple[Interval, ...]] = field(default_factory=dict)
    history_start: datetime = BEFORE_ANY_HISTORY
    repo_counts: dict[str, bool] = field(default_factory=dict)

    @property
    def rules(self) -> RepoRules:
        return self.settings.repo_rules

    def is_tracked(self, login: str | None) -> bool:
        return (login or "").lower() in self.memberships

    def still_followed(self, login: str | None) -> bool:
        """Whether the login's work can still count from this run on: tracked, and a member at
        some moment since the last run (someone who left is followed up to their end)."""
        membership = self.memberships.get((login or "").lower())
        return membership is not None and reaches(membership, self.started_at)

    def commit(self) -> None:
        """Commit one unit of work; the only places where the sync may stop or renew its lock."""
        self.session.commit()
        self.heartbeat()
        self.cancel.raise_if_requested()

    def warn(self, message: str) -> None:
        self.summary.warnings.append(message)
        self.progress.say(message)
