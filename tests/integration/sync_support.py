"""Shared set-up for sync tests: a config on disk, a fake GitHub world, a syncer wired to both."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.github_world import API, GitHubWorld, trimmed_pull_request
from tracker.config import Settings, load_settings
from tracker.counting import QueryFilter, counted_contributions
from tracker.github.client import GitHubClient, transient_retry
from tracker.sync import run
from tracker.sync.summary import SyncSummary

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

CONFIG = """
[github]
org = "acme"

[members]
roster = "roster.toml"
exclude = ["hal"]

[repos]
include = ["huggingface/*", "pytorch/pytorch", "ghost/missing"]
topics = ["llm"]
merged_labels = { "pytorch/pytorch" = ["Merged"] }

[sync]
backfill_days = 90

[database]
url = "sqlite:///unused.db"
"""

ROSTER = """
[[member]]
login = "fay"
name = "Fay"
team = "Inference"
aliases = ["fay-alt"]

[[member]]
login = "ivy"
team = "Training"
until = "2026-10-29"

[[member]]
login = "jon"
public = false
"""


def write_config(directory: Path, database_url: str, config: str = CONFIG, roster: str = ROSTER) -> Settings:
    (directory / "tracker.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    (directory / "roster.toml").write_text(textwrap.dedent(roster), encoding="utf-8")
    return load_settings(directory / "tracker.toml", environ={"TRACKER_DATABASE_URL": database_url})


@dataclass
class RecordingProgress:
    messages: list[str] = field(default_factory=list)
    phases: list[tuple[str, int]] = field(default_factory=list)
    advanced: int = 0

    def phase(self, description: str, total: int) -> None:
        self.phases.append((description, total))

    def advance(self, amount: int = 1) -> None:
        self.advanced += amount

    def say(self, message: str) -> None:
        self.messages.append(message)


@dataclass
class Clock:
    now: datetime = NOW
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)

    def timestamp(self) -> float:
        return self.now.timestamp()


def make_client(clock: Clock, progress: RecordingProgress, api: str = API) -> GitHubClient:
    return GitHubClient(
        token="ghp_test0000000000000000000000000000000000",
        api_url=api,
        report=progress.say,
        sleep=clock.sleep,
        clock=clock.timestamp,
        retry=transient_retry(backoff_factor=0),
    )


def run_sync(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    progress: RecordingProgress | None = None,
    since: datetime | None = None,
    *,
    accept_membership_change: bool = False,
) -> tuple[SyncSummary, GitHubClient]:
    progress = progress or RecordingProgress()
    client = make_client(clock, progress)
    summary = run.run_sync(
        settings=settings,
        engine=engine,
        client=client,
        progress=progress,
        since=since.date() if since else None,
        accept_membership_change=accept_membership_change,
        clock=clock,
    )
    assert summary is not None, "the database lock was held"
    return summary, client


def counted_keys(settings: Settings, engine: Engine) -> set[tuple[str, str, str, int, str]]:
    """(kind, person, repo, number, occurred_at) of every counted contribution."""
    with Session(engine) as session:
        rows = counted_contributions(session, settings, QueryFilter())
    return {(r.kind.value, r.person, r.repo, r.number, r.occurred_at.isoformat()) for r in rows}


def day(month: int, date: int, hour: int = 12) -> datetime:
    return datetime(2026, month, date, hour, tzinfo=UTC)


@dataclass
class Scenario:
    """The world every counting rule is exercised in; `expected` is counted by hand."""

    world: GitHubWorld
    expected: set[tuple[str, str, str, int, str]]


def build_scenario() -> Scenario:
    world = GitHubWorld(now=NOW)
    for login in ("fay", "gus", "hal", "jon"):
        world.add_member(login)
    world.add_member("acme-bot", user_type="Bot")
    world.add_member("release[bot]", user_type="Bot")
    world.add_repo("huggingface/transformers", topics=["nlp"])
    world.add_repo("pytorch/pytorch", topics=["deep-learning"], license_spdx="NOASSERTION")
    world.add_repo("topic/ai-lib", topics=["llm", "python"])
    world.add_repo("forker/ai-lib", topics=["llm"], fork=True)
    world.add_repo("random/website", topics=["css"])
    world.add_repo("secret/ai", topics=["llm"], private=True)

    hf, pt = "huggingface/transformers", "pytorch/pytorch"
    fay_pr = world.add_issue(
        hf,
        "fay",
        day(10, 1),
        is_pull_request=True,
        state="closed",
        closed_at=day(10, 5),
        merged_at=day(10, 5),
        title="Faster tokenizer",
    )
    fay_alt_issue = world.add_issue("topic/ai-lib", "fay-alt", day(10, 10), title="Crash on load")
    gus_label_pr = world.add_issue(
        pt,
        "gus",
        day(10, 8),
        is_pull_request=True,
        state="closed",
        closed_at=day(10, 12),
        labels=["Merged", "open source"],
    )
    world.add_issue(pt, "gus", day(10, 9), is_pull_request=True, state="closed", closed_at=day(10, 11))
    gus_open_pr = world.add_issue(hf, "gus", day(11, 1), is_pull_request=True)
    ivy_pr = world.add_issue(
        hf,
        "ivy",
        day(10, 20),
        is_pull_request=True,
        state="closed",
        closed_at=day(11, 2),
        merged_at=day(11, 2),
    )
    stranger_pr = world.add_issue(hf, "stranger", day(10, 3), is_pull_request=True)
    world.add_review(stranger_pr, "fay", day(10, 6))
    world.add_review(stranger_pr, "gus", None, state="PENDING")
    world.add_review(fay_pr, "stranger", day(10, 4), state="CHANGES_REQUESTED")
    world.add_review(fay_pr, "fay", day(10, 4, 13), state="COMMENTED")
    world.add_review(fay_pr, "fay-alt", day(10, 4, 14))
    world.add_review(gus_label_pr, "fay", day(10, 11), state="DISMISSED")
    world.add_comment(stranger_pr, "fay", day(10, 7))
    world.add_comment(stranger_pr, "hal", day(10, 7, 13))
    world.add_comment(stranger_pr, "stranger", day(10, 7, 14))
    world.add_comment(stranger_pr, "acme-bot", day(10, 7, 15))
    world.add_comment(fay_alt_issue, "jon", day(10, 15))
    world.add_comment(fay_alt_issue, "ivy", day(11, 5))
    world.add_issue("forker/ai-lib", "fay", day(10, 2), is_pull_request=True)
    world.add_issue("random/website", "fay", day(10, 2), title="Fix CSS")
    world.add_issue("secret/ai", "gus", day(10, 2))
    world.add_issue(hf, "hal", day(10, 2), title="Excluded person's issue")
    old_pr = world.add_issue(
        hf,
        "fay",
        datetime(2026, 7, 1, tzinfo=UTC),
        is_pull_request=True,
        state="closed",
        closed_at=day(9, 5),
        merged_at=day(9, 5),
    )
    world.add_comment(old_pr, "gus", datetime(2026, 7, 2, tzinfo=UTC))

    def key(kind: str, person: str, repo: str, number: int, at: datetime) -> tuple[str, str, str, int, str]:
        return (kind, person, repo, number, at.isoformat())

    expected = {
        key("pr_opened", "fay", hf, fay_pr.number, day(10, 1)),
        key("pr_merged", "fay", hf, fay_pr.number, day(10, 5)),
        key("issue_opened", "fay", "topic/ai-lib", fay_alt_issue.number, day(10, 10)),
        key("pr_opened", "gus", pt, gus_label_pr.number, day(10, 8)),
        key("pr_merged", "gus", pt, gus_label_pr.number, day(10, 12)),
        key("pr_opened", "gus", pt, gus_label_pr.number + 1, day(10, 9)),
        key("pr_opened", "gus", hf, gus_open_pr.number, day(11, 1)),
        key("pr_opened", "ivy", hf, ivy_pr.number, day(10, 20)),
        key("review", "fay", hf, stranger_pr.number, day(10, 6)),
        key("review", "fay", pt, gus_label_pr.number, day(10, 11)),
        key("comment", "fay", hf, stranger_pr.number, day(10, 7)),
        key("comment", "jon", "topic/ai-lib", fay_alt_issue.number, day(10, 15)),
        key("pr_merged", "fay", hf, old_pr.number, day(9, 5)),
    }
    return Scenario(world, expected)


def add_event(
    world: GitHubWorld, login: str, kind: str, repo: str, payload: dict[str, object], at: datetime
) -> None:
    from tests.github_world import event

    world.add_event(login, event(kind, login, world.repos[repo.lower()], payload, at))


def pull_request_event_payload(world: GitHubWorld, repo: str, number: int, action: str) -> dict[str, object]:
    return {
        "action": action,
        "number": number,
        "pull_request": trimmed_pull_request(world.repos[repo.lower()], number),
    }


Hook = Callable[[int, str], tuple[int, dict[str, str], str] | None]
