"""Counting in the database (grouped) and counting row by row give the same numbers, always."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import responses
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.integration.sync_support import Clock, build_scenario, day, run_sync, write_config
from tracker.config import Settings
from tracker.counting import QueryFilter, counted_contributions, counted_groups, counted_stats
from tracker.domain import Kind
from tracker.periods import month_label, week_label
from tracker.reports import GroupBy
from tracker.store.tables import ContributionRow

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


@pytest.mark.parametrize("by", ["week", "month"])
@pytest.mark.parametrize("where", FILTERS)
def test_stats_by_week_or_month_count_every_counted_contribution_once(
    synced: Settings, engine: Engine, where: QueryFilter, by: GroupBy
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    with Session(engine) as session:
        rows = counted_contributions(session, synced, where)
        stats = counted_stats(session, synced, where, by, berlin)

    label = week_label if by == "week" else month_label
    expected = Counter((label(row.occurred_at, berlin), row.kind) for row in rows)
    actual = Counter(
        {(row.group, kind): count for row in stats for kind, count in row.counts.items() if count}
    )
    assert actual == expected
    assert [row.group for row in stats] == sorted(row.group for row in stats)


def test_stats_of_an_empty_range_or_an_empty_store_are_empty(synced: Settings, engine: Engine) -> None:
    backwards = QueryFilter(since=day(10, 8, 0), until=day(10, 1, 0))
    with Session(engine) as session:
        assert counted_stats(session, synced, backwards, "week") == []
        session.execute(sa.delete(ContributionRow))
        assert counted_stats(session, synced, QueryFilter(), "month") == []
