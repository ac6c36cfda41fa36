"""The sync against a fake GitHub: complete, exact, cheap on re-runs, safe when interrupted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.github_world import GitHubWorld, etag_of
from tests.integration.sync_support import (
    NOW,
    Clock,
    RecordingProgress,
    Scenario,
    add_event,
    build_scenario,
    counted_keys,
    day,
    pull_request_event_payload,
    run_sync,
    write_config,
)
from tracker.config import Settings
from tracker.store.contributions import count_stored_contributions
from tracker.store.sync_state import (
    OpenPullRequest,
    count_fetch_tasks,
    get_history_start,
    list_open_pull_requests,
)
from tracker.store.tables import ContributionRow, FetchTaskRow, SyncRunRow


@pytest.fixture
def scenario() -> Scenario:
    return build_scenario()


@pytest.fixture
def github(scenario: Scenario) -> Iterator[GitHubWorld]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        scenario.world.install(mock)
        yield scenario.world


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return write_config(tmp_path, database_url)


def test_backfill_stores_exactly_what_the_rules_count(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    summary, _ = run_sync(settings, engine, Clock())

    assert counted_keys(settings, engine) == scenario.expected
    assert summary.new >= len(scenario.expected)


def test_a_queue_longer_than_one_page_is_drained_completely(
    github: GitHubWorld,
    scenario: Scenario,
    settings: Settings,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tracker.sync.fetch_queue.TASK_PAGE", 1)

    run_sync(settings, engine, Clock())

    assert counted_keys(settings, engine) == scenario.expected
    with Session(engine) as session:
        assert count_fetch_tasks(session) == 0


def test_backfill_stores_nothing_from_repos_that_do_not_count(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    run_sync(settings, engine, Clock())

    with Session(engine) as session:
        repos = {row.repo_key for row in session.exec(select(ContributionRow))}
    assert repos <= {"huggingface/transformers", "pytorch/pytorch", "topic/ai-lib"}


def test_missing_include_repo_is_reported_and_the_sync_goes_on(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    progress = RecordingProgress()
    summary, _ = run_sync(settings, engine, Clock(), progress)

    assert any("ghost/missing" in message and "does not exist" in message for message in progress.messages)
    assert summary.new > 0


def test_second_sync_with_nothing_new_costs_no_rate_limited_request(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    clock.now += timedelta(hours=1)

    summary, client = run_sync(settings, engine, clock)

    assert summary.new == 0 and summary.updated == 0
    assert client.stats.rate_limited == 0
    assert client.stats.not_modified == client.stats.requests > 0


def test_rerun_after_a_day_refreshes_repo_metadata_for_free(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    clock.now += timedelta(days=1, hours=1)

    _, client = run_sync(settings, engine, clock)

    assert client.stats.by_endpoint["GET /repos/{owner}/{repo}"] > 0
    assert client.stats.rate_limited <= 1  # only the 404 of the missing repo is asked again


def test_incremental_sync_takes_new_activity_from_events(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    world = scenario.world
    hf = "huggingface/transformers"
    later = NOW + timedelta(minutes=30)
    stranger_issue = world.add_issue(hf, "stranger", later, title="Question")
    comment = world.add_comment(stranger_issue, "fay", later)
    add_event(
        world,
        "fay",
        "IssueCommentEvent",
        hf,
        {"action": "created", "issue": stranger_issue.to_json(), "comment": comment.to_json()},
        later,
    )
    gus_pr = world.add_issue(hf, "gus", later, is_pull_request=True, title="New kernel")
    add_event(
        world,
        "gus",
        "PullRequestEvent",
        hf,
        pull_request_event_payload(world, hf, gus_pr.number, "opened"),
        later,
    )
    stranger_pr = world.add_issue(hf, "stranger", later, is_pull_request=True)
    review = world.add_review(stranger_pr, "fay", later + timedelta(minutes=1))
    add_event(
        world,
        "fay",
        "PullRequestReviewEvent",
        hf,
        {
            "action": "created",
            "review": review.to_json() | {"state": "approved"},
            "pull_request": pull_request_event_payload(world, hf, stranger_pr.number, "opened")[
                "pull_request"
            ],
        },
        later + timedelta(minutes=1),
    )
    clock.now += timedelta(hours=1)

    summary, _ = run_sync(settings, engine, clock)

    new = counted_keys(settings, engine) - scenario.expected
    assert new == {
        ("comment", "fay", hf, stranger_issue.number, later.isoformat()),
        ("pr_opened", "gus", hf, gus_pr.number, later.isoformat()),
        ("review", "fay", hf, stranger_pr.number, (later + timedelta(minutes=1)).isoformat()),
    }
    assert summary.new == 3


def test_pull_request_merged_by_someone_else_is_found_by_the_open_pr_recheck(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    open_pr = next(i for i in scenario.world.issues if i.author == "gus" and i.state == "open")
    merged_at = NOW + timedelta(minutes=20)
    open_pr.state, open_pr.closed_at, open_pr.merged_at, open_pr.updated_at = (
        "closed",
        merged_at,
        merged_at,
        merged_at,
    )
    clock.now += timedelta(hours=1)

    summary, client = run_sync(settings, engine, clock)

    assert ("pr_merged", "gus", open_pr.repo, open_pr.number, merged_at.isoformat()) in counted_keys(
        settings, engine
    )
    assert summary.new == 1
    assert client.stats.rate_limited == 1
    with Session(engine) as session:
        assert list_open_pull_requests(session) == []


def test_a_backfilled_open_pull_request_is_rechecked_for_free_since_its_updated_at(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    open_pr = next(i for i in scenario.world.issues if i.author == "gus" and i.state == "open")
    path = f"/repos/{open_pr.repo}/issues/{open_pr.number}"

    run_sync(settings, engine, Clock())

    assert [status for asked, status in github.requests if asked == path] == [304]
    assert github.count(lambda asked: re.fullmatch(r"/repos/.+/issues/\d+", asked) is not None) == 1
    with Session(engine) as session:
        (tracked,) = list_open_pull_requests(session)
    # The 304 named the ETag: the next re-check asks with If-None-Match.
    assert tracked == OpenPullRequest(
        open_pr.repo, open_pr.number, etag_of(open_pr.to_json()), open_pr.updated_at, author="gus"
    )


def test_a_pull_request_merged_after_the_search_is_taken_from_the_recheck(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    open_pr = next(i for i in scenario.world.issues if i.author == "gus" and i.state == "open")
    path = f"/repos/{open_pr.repo}/issues/{open_pr.number}"
    merged_at = NOW + timedelta(seconds=30)

    def merge_before_the_recheck(_count: int, asked: str) -> None:
        if asked == path:
            open_pr.state, open_pr.closed_at, open_pr.merged_at, open_pr.updated_at = (
                "closed",
                merged_at,
                merged_at,
                merged_at,
            )

    github.faults.before = merge_before_the_recheck

    run_sync(settings, engine, Clock())

    assert [status for asked, status in github.requests if asked == path] == [200]
    merge = ("pr_merged", "gus", open_pr.repo, open_pr.number, merged_at.isoformat())
    assert counted_keys(settings, engine) == scenario.expected | {merge}
    with Session(engine) as session:
        assert list_open_pull_requests(session) == []


def test_a_pull_request_changed_but_still_open_is_tracked_with_its_new_validators(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    open_pr = next(i for i in scenario.world.issues if i.author == "gus" and i.state == "open")
    path = f"/repos/{open_pr.repo}/issues/{open_pr.number}"
    commented_at = NOW + timedelta(seconds=30)

    def comment_before_the_recheck(_count: int, asked: str) -> None:
        if asked == path:
            open_pr.updated_at = commented_at

    github.faults.before = comment_before_the_recheck

    run_sync(settings, engine, Clock())

    assert [status for asked, status in github.requests if asked == path] == [200]
    with Session(engine) as session:
        (tracked,) = list_open_pull_requests(session)
    assert (tracked.etag, tracked.last_modified) == (etag_of(open_pr.to_json()), commented_at)


def test_events_that_do_not_reach_back_fall_back_to_search(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    world = scenario.world
    clock.now += timedelta(days=40)
    world.now = clock.now
    gap_issue = world.add_issue("topic/ai-lib", "fay", NOW + timedelta(days=2), title="Found only by search")

    summary, client = run_sync(settings, engine, clock)

    assert (
        "issue_opened",
        "fay",
        "topic/ai-lib",
        gap_issue.number,
        gap_issue.created_at.isoformat(),
    ) in counted_keys(settings, engine)
    assert client.stats.by_endpoint["GET /search/issues"] > 0
    assert summary.new == 1


def test_a_busy_person_with_more_than_search_can_return_at_once_is_complete(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    world = scenario.world
    start = day(9, 1)
    busy = [
        world.add_issue("topic/ai-lib", "gus", start + timedelta(minutes=90 * index), title=f"Report {index}")
        for index in range(1_150)
    ]
    world.search_remaining = 10_000

    run_sync(settings, engine, Clock())

    counted = counted_keys(settings, engine)
    assert all(
        ("issue_opened", "gus", "topic/ai-lib", i.number, i.created_at.isoformat()) in counted for i in busy
    )


def test_a_sync_killed_at_any_request_resumes_without_loss_or_duplicates(
    tmp_path: Path, database_url: str, engine: Engine
) -> None:
    reference = _reference_run(tmp_path)
    total = reference[1]
    settings = write_config(tmp_path, database_url)
    for crash_at in range(total):
        with Session(engine) as session:
            for table in (
                "contribution",
                "login_cursor",
                "fetch_task",
                "open_pull_request",
                "http_cache",
                "repo",
                "member_interval",
                "member_account",
                "member_listing",
                "state",
                "sync_run",
            ):
                session.connection().exec_driver_sql(f"DELETE FROM {table}")
            session.commit()
        world = build_scenario().world
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            world.install(mock)
            world.faults.before = _kill_at(crash_at)
            with pytest.raises(SimulatedKill):
                run_sync(settings, engine, Clock())
            world.faults.before = None
            run_sync(settings, engine, Clock())
        assert counted_keys(settings, engine) == reference[0], f"crash at request {crash_at}"
        with Session(engine) as session:
            assert count_stored_contributions(session) == reference[2]
            assert session.exec(select(FetchTaskRow)).all() == []
            statuses = [run.status for run in session.exec(select(SyncRunRow).order_by(SyncRunRow.id))]
        assert statuses == ["failed", "ok"]


class SimulatedKill(BaseException):
    """Stands for kill -9: nothing in the process gets to clean up after it."""


def _kill_at(index: int):  # type: ignore[no-untyped-def]
    def before(count: int, _path: str) -> None:
        if count == index:
            raise SimulatedKill
        return None

    return before


def _reference_run(tmp_path: Path) -> tuple[set[tuple[str, str, str, int, str]], int, int]:
    from tracker.store import migrate
    from tracker.store.engine import make_engine

    directory = tmp_path / "reference"
    directory.mkdir()
    url = f"sqlite:///{directory / 'ref.db'}"
    settings = write_config(directory, url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    world = build_scenario().world
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        run_sync(settings, engine, Clock())
    with Session(engine) as session:
        stored = count_stored_contributions(session)
    keys = counted_keys(settings, engine)
    engine.dispose()
    return keys, len(world.requests), stored


def test_sync_since_an_earlier_date_fetches_that_history_too(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    old_issue = scenario.world.add_issue("topic/ai-lib", "gus", day(7, 15), title="Old report")
    clock.now += timedelta(hours=1)

    run_sync(settings, engine, clock, since=day(7, 1, hour=0))

    counted = counted_keys(settings, engine)
    assert ("issue_opened", "gus", "topic/ai-lib", old_issue.number, day(7, 15).isoformat()) in counted
    assert scenario.expected < counted
    with Session(engine) as session:
        assert get_history_start(session) == day(7, 1, hour=0)


def test_a_roster_login_that_does_not_exist_is_reported_and_the_others_sync(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    github.unknown_users.add("ivy")
    progress = RecordingProgress()

    run_sync(settings, engine, Clock(), progress)

    assert any("GitHub refused to search the activity of ivy" in message for message in progress.messages)
    assert counted_keys(settings, engine) == {key for key in scenario.expected if key[1] != "ivy"}


def test_nobody_to_track_is_said_plainly(tmp_path: Path, database_url: str, engine: Engine) -> None:
    settings = write_config(tmp_path, database_url, roster="")
    world = GitHubWorld(now=NOW)
    progress = RecordingProgress()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        summary, _ = run_sync(settings, engine, Clock(), progress)

    assert summary.people == 0
    assert any("nobody to track" in message for message in progress.messages)


def test_many_commented_issues_in_one_repo_are_read_from_one_repo_listing(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    world = scenario.world
    threads = [
        world.add_issue("topic/ai-lib", "stranger", day(10, 1) + timedelta(hours=i)) for i in range(12)
    ]
    comments = [
        world.add_comment(thread, "gus", thread.created_at + timedelta(minutes=5)) for thread in threads
    ]

    _, client = run_sync(settings, engine, Clock())

    counted = counted_keys(settings, engine)
    for thread, comment in zip(threads, comments, strict=True):
        assert ("comment", "gus", "topic/ai-lib", thread.number, comment.created_at.isoformat()) in counted
    assert scenario.expected <= counted
    assert client.stats.by_endpoint["GET /repos/{owner}/{repo}/issues/comments"] == 1
    per_issue = client.stats.by_endpoint["GET /repos/{owner}/{repo}/issues/{number}/comments"]
    assert per_issue <= 3  # the few commented issues in the other repos


def test_a_repo_listing_longer_than_the_issues_to_ask_is_not_walked(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    world = scenario.world
    busy = world.add_issue("topic/ai-lib", "stranger", day(9, 2))
    for minute in range(450):
        world.add_comment(busy, "stranger", day(9, 2) + timedelta(minutes=minute))
    threads = [world.add_issue("topic/ai-lib", "stranger", day(10, 1) + timedelta(hours=i)) for i in range(3)]
    for thread in threads:
        world.add_comment(thread, "gus", thread.created_at + timedelta(minutes=5))

    _, client = run_sync(settings, engine, Clock())

    counted = counted_keys(settings, engine)
    assert all(
        ("comment", "gus", "topic/ai-lib", t.number, (t.created_at + timedelta(minutes=5)).isoformat())
        in counted
        for t in threads
    )
    assert client.stats.by_endpoint["GET /repos/{owner}/{repo}/issues/comments"] == 1
    assert client.stats.by_endpoint["GET /repos/{owner}/{repo}/issues/{number}/comments"] >= 3
