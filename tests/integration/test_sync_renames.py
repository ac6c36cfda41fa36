"""Renamed and transferred repos through whole syncs: one repo under every name it has had.

The world renames a repo as GitHub does (same id, a 301 from the old name to `/repositories/{id}`,
events already in feeds keeping the old name); the sync may learn of it first from an event
that names the new name, first from the 301, or both ways in turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.github_world import GitHubWorld, event
from tests.integration.sync_support import (
    NOW,
    Clock,
    RecordingProgress,
    counted_keys,
    day,
    pull_request_event_payload,
    run_sync,
    write_config,
)
from tracker.cli import run
from tracker.config import Settings
from tracker.store.contributions import count_stored_contributions
from tracker.store.repos import list_repos
from tracker.store.sync_state import list_open_pull_requests

OLD, NEW = "jacquev6/PyGithub", "PyGithub/PyGithub"


@pytest.fixture
def world() -> Iterator[GitHubWorld]:
    """fay's work in a repo that counts by its topic, before it is renamed: a merged PR, a
    review and a comment on someone else's PR, and a PR still open."""
    world = GitHubWorld(now=NOW + timedelta(days=3))
    world.add_member("fay")
    world.add_repo(OLD, topics=["llm"])
    merged = world.add_issue(
        OLD,
        "fay",
        day(10, 1),
        is_pull_request=True,
        state="closed",
        closed_at=day(10, 5),
        merged_at=day(10, 5),
    )
    theirs = world.add_issue(OLD, "stranger", day(10, 3), is_pull_request=True)
    world.add_review(theirs, "fay", day(10, 6))
    world.add_comment(theirs, "fay", day(10, 7))
    world.add_issue(OLD, "fay", day(11, 1), is_pull_request=True, title="Still open")
    assert (merged.number, theirs.number) == (1, 2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        yield world


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return write_config(tmp_path, database_url)


def comment_event(world: GitHubWorld, at_hours: float) -> None:
    """fay comments on PR 2; the event names the repo as it is called at that moment."""
    at = NOW + timedelta(hours=at_hours)
    issue = next(issue for issue in world.issues if issue.number == 2)
    comment = world.add_comment(issue, "fay", at)
    repo = world.repos[issue.repo.lower()]
    payload = {"action": "created", "issue": issue.to_json(), "comment": comment.to_json()}
    world.add_event("fay", event("IssueCommentEvent", "fay", repo, payload, at))


def opened_pull_request_event(world: GitHubWorld, at_hours: float) -> None:
    at = NOW + timedelta(hours=at_hours)
    repo = next(iter(world.repos.values()))["full_name"]
    pr = world.add_issue(repo, "fay", at, is_pull_request=True, title="After the move")
    world.add_event(
        "fay",
        event(
            "PullRequestEvent",
            "fay",
            world.repos[repo.lower()],
            pull_request_event_payload(world, repo, pr.number, "opened"),
            at,
        ),
    )


def assert_one_repo_all_under_its_new_name(settings: Settings, engine: Engine, stored: int) -> None:
    counted = counted_keys(settings, engine)
    with Session(engine) as session:
        repos = list_repos(session)
        assert count_stored_contributions(session) == stored
        open_prs = list_open_pull_requests(session)
    assert [(repo.full_name, repo.former_names) for repo in repos if is_pygithub(repo.full_name)] == [
        (NEW, (OLD,))
    ]
    assert {repo for _, _, repo, _, _ in counted} == {NEW}
    assert len(counted) == stored
    assert {(pr.repo, pr.number) for pr in open_prs} == {(NEW, 3), (NEW, 4)}


def is_pygithub(full_name: str) -> bool:
    """Not one of the repos the configuration names (which the sync also stores)."""
    return full_name.lower() in (OLD.lower(), NEW.lower())


# fay's contributions before the move: PR 1 opened and merged, PR 3 opened, a review, a comment.
BEFORE = 5


def test_a_rename_seen_first_through_an_event_naming_the_new_name(
    world: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    run_sync(settings, engine, Clock(NOW))
    comment_event(world, 0.5)  # still under the old name
    world.rename_repo(OLD, NEW)
    opened_pull_request_event(world, 1)
    earlier = len(world.requests)

    run_sync(settings, engine, Clock(NOW + timedelta(hours=2)))

    # the new name was asked once, and the old name not at all: its metadata was hours old
    asked = [path.lower() for path, _ in world.requests[earlier:]]
    assert (asked.count(f"/repos/{NEW}".lower()), asked.count(f"/repos/{OLD}".lower())) == (1, 0)
    assert_one_repo_all_under_its_new_name(settings, engine, BEFORE + 2)


def test_a_rename_seen_first_through_the_301_of_the_old_name(
    world: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    run_sync(settings, engine, Clock(NOW))
    comment_event(world, 0.5)
    world.rename_repo(OLD, NEW)
    opened_pull_request_event(world, 1)

    # a day later: the repo's metadata is asked again under the name known, and GitHub answers 301
    run_sync(settings, engine, Clock(NOW + timedelta(days=1, hours=2)))

    assert world.count(lambda path: path.lower() == f"/repos/{OLD}".lower(), status=301) == 1
    assert_one_repo_all_under_its_new_name(settings, engine, BEFORE + 2)


def test_a_rename_seen_both_ways_in_turn_stays_one_repo(
    world: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    run_sync(settings, engine, Clock(NOW))
    comment_event(world, 0.5)
    world.rename_repo(OLD, NEW)
    opened_pull_request_event(world, 1)
    run_sync(settings, engine, Clock(NOW + timedelta(hours=2)))
    comment_event(world, 3)
    run_sync(settings, engine, Clock(NOW + timedelta(days=1, hours=4)))
    again, _ = run_sync(settings, engine, Clock(NOW + timedelta(days=2, hours=5)))

    assert (again.new, again.updated) == (0, 0)
    assert_one_repo_all_under_its_new_name(settings, engine, BEFORE + 3)


def test_old_events_of_a_repo_first_seen_under_its_new_name_cost_no_request(
    world: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    # in the feed under the old name, before the move, and within the hour the feed is read back
    comment_event(world, -0.5)
    world.rename_repo(OLD, NEW)

    summary, _ = run_sync(settings, engine, Clock(NOW))

    assert world.count(lambda path: path.lower() == f"/repos/{OLD}".lower()) == 0
    with Session(engine) as session:
        repos = list_repos(session)
        stored = count_stored_contributions(session)
    assert [repo.full_name for repo in repos if is_pygithub(repo.full_name)] == [NEW]
    assert {repo for _, _, repo, _, _ in counted_keys(settings, engine)} == {NEW}
    assert stored == BEFORE + 1
    assert summary.new == BEFORE + 1  # the comment came once, by search or by its event


def test_tracker_repos_lists_a_renamed_repo_once_with_its_former_names(
    world: GitHubWorld,
    settings: Settings,
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_sync(settings, engine, Clock(NOW))
    world.rename_repo(OLD, NEW)
    opened_pull_request_event(world, 1)
    run_sync(settings, engine, Clock(NOW + timedelta(hours=2)))
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    config = str(tmp_path / "tracker.toml")
    capsys.readouterr()

    assert run(["--config", config, "repos", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert run(["--config", config, "repos"]) == 0
    table = capsys.readouterr().out

    assert [
        (row["full_name"], row["former_names"], row["counts"]) for row in rows if row["former_names"]
    ] == [(NEW, [OLD], True)]
    assert [row["full_name"] for row in rows].count(NEW) == 1
    assert OLD not in [row["full_name"] for row in rows]
    assert "former_names" in table and OLD in table


def test_a_missing_include_is_reported_once_and_again_only_after_it_came_back(
    world: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    def warnings(at: timedelta) -> list[str]:
        progress = RecordingProgress()
        run_sync(settings, engine, Clock(NOW + at), progress)
        return [message for message in progress.messages if "ghost/missing" in message]

    first = warnings(timedelta(0))
    hourly = warnings(timedelta(hours=1))
    next_day = warnings(timedelta(days=1, hours=2))  # asked again (a day passed): still 404
    world.add_repo("ghost/missing")
    back = warnings(timedelta(days=2, hours=3))
    del world.repos["ghost/missing"]
    gone_again = warnings(timedelta(days=3, hours=4))

    assert first == [f"repo ghost/missing ({settings.repo_source}) does not exist or is not visible"]
    assert (hourly, next_day, back) == ([], [], [])
    assert gone_again == first
