"""Reviews through GraphQL ([sync] graphql, the default) against the fake GitHub: the rows REST stores,
and REST wherever GraphQL cannot answer in full (errors, more than 100 reviews): nothing lost."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.github_world import GitHubWorld
from tests.integration.sync_support import (
    CONFIG,
    Clock,
    Scenario,
    build_scenario,
    counted_keys,
    day,
    run_sync,
    write_config,
)
from tracker.config import Settings
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.tables import ContributionRow, FetchTaskRow
from tracker.sync.summary import SyncSummary

REST_ONLY = CONFIG.replace("backfill_days = 90", "backfill_days = 90\ngraphql = false")


@pytest.fixture
def scenario() -> Scenario:
    return build_scenario()


@pytest.fixture
def github(scenario: Scenario) -> Iterator[GitHubWorld]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        scenario.world.install(mock)
        yield scenario.world


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        rows = session.exec(select(ContributionRow).order_by(ContributionRow.kind, ContributionRow.github_id))
        return [
            (r.kind, r.github_id, r.login, r.repo, r.number, r.title, r.url, r.occurred_at, r.subject_author)
            for r in rows
        ]


def rest_only_rows(tmp_path: Path, world: GitHubWorld) -> list[tuple[Any, ...]]:
    """The same world synced by REST alone, in a database of its own (after the test's own sync)."""
    directory = tmp_path / "rest"
    directory.mkdir()
    url = f"sqlite:///{directory / 'rest.db'}"
    settings = write_config(directory, url, textwrap.dedent(REST_ONLY))
    engine = make_engine(url)
    migrate.upgrade(engine)
    world.faults.before = None
    graphql_before = world.count(lambda path: path == "/graphql")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        run_sync(settings, engine, Clock())
    assert world.count(lambda path: path == "/graphql") == graphql_before
    rows = stored(engine)
    engine.dispose()
    return rows


def synced(world: GitHubWorld, settings: Settings, engine: Engine) -> SyncSummary:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        summary, _ = run_sync(settings, engine, Clock())
    return summary


def test_graphql_stores_the_rows_rest_stores_without_a_request_per_reviewed_pull_request(
    scenario: Scenario, tmp_path: Path, database_url: str, engine: Engine
) -> None:
    github, settings = scenario.world, write_config(tmp_path, database_url)

    summary = synced(github, settings, engine)

    assert counted_keys(settings, engine) == scenario.expected
    assert len([row for row in stored(engine) if row[0] == "review"]) >= 3
    assert github.count(lambda path: path.endswith("/reviews")) == 0
    assert summary.graphql_queries == github.count(lambda path: path == "/graphql") > 0
    assert summary.graphql_points == github.graphql_points
    assert f"{summary.graphql_queries} GraphQL quer" in summary.line()
    assert stored(engine) == rest_only_rows(tmp_path, github)


def test_graphql_errors_fall_back_to_rest_and_lose_nothing(
    scenario: Scenario, tmp_path: Path, database_url: str, engine: Engine
) -> None:
    github, settings = scenario.world, write_config(tmp_path, database_url)
    partial = '{"data": null, "errors": [{"type": "INTERNAL", "message": "Something went wrong"}]}'
    headers = {"content-type": "application/json", "x-github-request-id": "AB:CD"}

    def broken_graphql(_count: int, path: str) -> tuple[int, dict[str, str], str] | None:
        return (200, headers, partial) if path == "/graphql" else None

    github.faults.before = broken_graphql

    summary = synced(github, settings, engine)

    assert counted_keys(settings, engine) == scenario.expected
    assert github.count(lambda path: path.endswith("/reviews")) > 0
    assert any(
        "read by REST" in warning and "Something went wrong" in warning for warning in summary.warnings
    )
    with Session(engine) as session:
        assert session.exec(select(FetchTaskRow)).all() == []
    assert stored(engine) == rest_only_rows(tmp_path, github)


def test_a_pull_request_with_more_than_100_reviews_has_them_read_through_rest(
    github: GitHubWorld, scenario: Scenario, tmp_path: Path, database_url: str, engine: Engine
) -> None:
    busy = github.add_issue("huggingface/transformers", "stranger", day(10, 2), is_pull_request=True)
    for minute in range(101):
        github.add_review(busy, "stranger", day(10, 3).replace(minute=minute % 60), state="COMMENTED")
    github.add_review(busy, "gus", day(10, 5))
    settings = write_config(tmp_path, database_url)

    run_sync(settings, engine, Clock())

    assert (
        github.count(lambda path: path == f"/repos/huggingface/transformers/pulls/{busy.number}/reviews") == 2
    )
    gus_reviews = {key for key in counted_keys(settings, engine) if key[:2] == ("review", "gus")}
    assert ("review", "gus", "huggingface/transformers", busy.number, day(10, 5).isoformat()) in gus_reviews


def test_rest_only_sends_no_graphql(
    github: GitHubWorld, tmp_path: Path, database_url: str, engine: Engine
) -> None:
    settings: Settings = write_config(tmp_path, database_url, textwrap.dedent(REST_ONLY))

    summary, _ = run_sync(settings, engine, Clock())

    assert github.count(lambda path: path == "/graphql") == 0
    assert summary.graphql_queries == summary.graphql_points == 0
    assert "GraphQL" not in summary.line()
