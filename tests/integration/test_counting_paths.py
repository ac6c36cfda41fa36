"""Counting in the database (grouped) and counting row by row give the same numbers, always."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.integration.sync_support import Clock, build_scenario, day, run_sync, write_config
from tracker.config import Settings
from tracker.counting import QueryFilter, counted_contributions, counted_groups
from tracker.domain import Kind

ROSTER_WITH_WINDOWS = """
[[member]]
login = "fay"
team = "Inference"
aliases = ["fay-alt"]
since = "2026-10-04"

[[member]]
login = "ivy"
team = "Training"
until = "2026-10-29"

[[member]]
login = "jon"
public = false
until = "2026-10-10"
"""


@pytest.fixture
def synced(tmp_path: Path, database_url: str, engine: Engine) -> Settings:
    settings = write_config(tmp_path, database_url, roster=ROSTER_WITH_WINDOWS)
    world = build_scenario().world
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        run_sync(settings, engine, Clock())
    return settings


FILTERS = [
    QueryFilter(),
    QueryFilter(since=day(10, 1, 0), until=day(10, 8, 0)),
    QueryFilter(since=day(10, 5, 0)),
    QueryFilter(until=day(10, 10, 0)),
    QueryFilter(login="fay-alt"),
    QueryFilter(team="inference", kinds=frozenset({Kind.REVIEW, Kind.PR_MERGED})),
    QueryFilter(repo="PyTorch/PyTorch"),
]


@pytest.mark.parametrize("where", FILTERS)
def test_grouped_counts_equal_row_counts(synced: Settings, engine: Engine, where: QueryFilter) -> None:
    with Session(engine) as session:
        rows = counted_contributions(session, synced, where)
        groups = counted_groups(session, synced, where)

    by_row = Counter((row.person, row.repo, row.kind, row.public, row.team) for row in rows)
    by_group: Counter[tuple[str, str, Kind, bool, str | None]] = Counter()
    for group in groups:
        by_group[(group.person, group.repo, group.kind, group.public, group.team)] += group.count
    assert by_group == by_row
    assert sum(by_row.values()) > 0


def test_buckets_split_exactly_at_their_edges(synced: Settings, engine: Engine) -> None:
    edges = [day(9, 1, 0) + timedelta(days=7 * week) for week in range(12)]
    with Session(engine) as session:
        rows = counted_contributions(session, synced, QueryFilter(since=edges[0], until=edges[-1]))
        groups = counted_groups(session, synced, QueryFilter(), edges=edges)

    expected = Counter(
        next(i for i in range(len(edges) - 1) if edges[i] <= row.occurred_at < edges[i + 1]) for row in rows
    )
    actual: Counter[int] = Counter()
    for group in groups:
        actual[group.bucket] += group.count
    assert actual == expected
    assert len(expected) > 2


def test_a_roster_window_inside_a_bucket_is_respected(synced: Settings, engine: Engine) -> None:
    week = QueryFilter(since=datetime.fromisoformat("2026-10-01T00:00:00+00:00"), until=day(10, 8, 0))
    with Session(engine) as session:
        fay = [group for group in counted_groups(session, synced, week) if group.person == "fay"]

    # fay's window starts 2026-10-04: her PR opened on 10-01 does not count, her merge on 10-05 does
    assert {(group.kind, group.count) for group in fay} >= {(Kind.PR_MERGED, 1)}
    assert all(group.kind is not Kind.PR_OPENED for group in fay)
