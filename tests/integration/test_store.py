"""The store's own contracts: upserts by natural key, and the first-merge record they keep."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.domain import Contribution, Kind, RepoRecord
from tracker.store.contributions import (
    UPSERT_BATCH,
    ContributionFilter,
    count_stored_contributions,
    first_merge_per_person_repo,
    group_contributions,
    list_contributions,
    upsert_contributions,
)
from tracker.store.repos import get_repo, upsert_repo
from tracker.store.sync_state import (
    count_fetch_tasks,
    enqueue_fetch,
    list_fetch_tasks,
    repos_with_titled_tasks,
)

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def merge(github_id: int, login: str, repo: str, day: int, title: str = "Title") -> Contribution:
    return Contribution(
        Kind.PR_MERGED,
        github_id,
        login,
        repo,
        github_id,
        title,
        "https://x",
        datetime(2026, 10, day, tzinfo=UTC),
    )


def test_upserting_twice_stores_once_and_counts_new_then_unchanged(engine: Engine) -> None:
    with Session(engine) as session:
        first = upsert_contributions(session, [merge(1, "fay", "a/b", 2), merge(1, "fay", "a/b", 2)], now=NOW)
        again = upsert_contributions(session, [merge(1, "fay", "a/b", 2)], now=NOW)
        session.commit()
        assert (first.new, first.updated, again.new, again.updated) == (1, 0, 0, 0)
        assert count_stored_contributions(session) == 1


def test_a_changed_title_is_an_update_not_a_new_row(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_contributions(session, [merge(1, "fay", "a/b", 2)], now=NOW)
        result = upsert_contributions(session, [merge(1, "fay", "a/b", 2, title="Renamed")], now=NOW)
        session.commit()
        (row,) = list_contributions(session, where=ContributionFilter())
    assert (result.new, result.updated, row.title) == (0, 1, "Renamed")


def test_the_same_id_under_two_kinds_is_two_contributions(engine: Engine) -> None:
    opened = Contribution(
        Kind.PR_OPENED, 1, "fay", "a/b", 1, "T", "https://x", datetime(2026, 10, 1, tzinfo=UTC)
    )
    with Session(engine) as session:
        result = upsert_contributions(session, [opened, merge(1, "fay", "a/b", 2)], now=NOW)
        session.commit()
    assert result.new == 2


def test_the_first_merge_is_the_earliest_whatever_the_order_of_arrival(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_contributions(session, [merge(5, "fay", "A/B", 20)], now=NOW)
        upsert_contributions(session, [merge(4, "fay", "a/b", 9), merge(3, "fay", "a/b", 30)], now=NOW)
        upsert_contributions(session, [merge(2, "fay", "a/b", 9)], now=NOW)
        upsert_contributions(session, [merge(6, "gus", "a/b", 1)], now=NOW)
        session.commit()
        firsts = first_merge_per_person_repo(session, logins=["FAY", "gus"], repos=["a/b"])
    assert [(m.login, m.github_id) for m in firsts] == [("gus", 6), ("fay", 2)]


def test_bulk_ingest_in_several_batches_keeps_every_row(engine: Engine) -> None:
    rows = [
        Contribution(
            Kind.COMMENT, n, f"user{n % 7}", f"org/repo{n % 5}", n, "t", "u", datetime(2026, 1, 1, tzinfo=UTC)
        )
        for n in range(UPSERT_BATCH * 2 + 17)
    ]
    with Session(engine) as session:
        result = upsert_contributions(session, iter(rows), now=NOW)
        session.commit()
        assert result.new == len(rows)
        assert count_stored_contributions(session) == len(rows)


def test_rows_written_in_bulk_read_back_exactly_and_compare_with_bound_times(engine: Engine) -> None:
    """The bulk path formats timestamps itself; they must read back, and compare against the
    times SQLAlchemy binds in queries, exactly as if SQLAlchemy had written them."""
    moments = [
        datetime(2026, 10, 1, 12, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 1, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 10, 1, 13, 59, 59, 999_999, tzinfo=UTC),
    ]
    rows = [
        Contribution(Kind.COMMENT, n, "Fay", "Org/Repo", 7, "t", "u", moment, "Gus")
        for n, moment in enumerate(moments, start=1)
    ]
    with Session(engine) as session:
        upsert_contributions(session, rows, now=NOW)
        session.commit()
        stored = list(list_contributions(session, where=ContributionFilter()))
        window = ContributionFilter(since=moments[1], until=moments[2])
        inside = list(list_contributions(session, where=window))
    assert sorted(row.occurred_at for row in stored) == moments
    assert all(row.occurred_at.tzinfo is not None for row in stored)
    assert {(row.login, row.repo, row.subject_author) for row in stored} == {("fay", "Org/Repo", "gus")}
    assert [row.github_id for row in inside] == [2]


def test_edits_of_different_fields_in_one_batch_are_all_applied(engine: Engine) -> None:
    with Session(engine) as session:
        upsert_contributions(session, [merge(1, "fay", "a/b", 2), merge(2, "fay", "a/b", 3)], now=NOW)
        result = upsert_contributions(
            session,
            [
                merge(1, "fay", "a/b", 2, title="Renamed"),
                merge(2, "fay", "A/B-moved", 4),
                merge(3, "fay", "a/b", 5),
            ],
            now=datetime(2026, 11, 29, tzinfo=UTC),
        )
        session.commit()
        rows = {row.github_id: row for row in list_contributions(session, where=ContributionFilter())}
    assert (result.new, result.updated) == (1, 2)
    assert (rows[1].title, rows[1].repo, rows[1].occurred_at.day) == ("Renamed", "a/b", 2)
    assert (rows[2].title, rows[2].repo, rows[2].occurred_at.day) == ("Title", "A/B-moved", 4)


def test_an_unchanged_row_is_not_rewritten(engine: Engine) -> None:
    later = datetime(2026, 11, 29, tzinfo=UTC)
    with Session(engine) as session:
        upsert_contributions(session, [merge(1, "fay", "a/b", 2)], now=NOW)
        result = upsert_contributions(session, [merge(1, "FAY", "a/b", 2)], now=later)
        session.commit()
        (updated_at,) = session.connection().exec_driver_sql("SELECT updated_at FROM contribution").one()
    assert (result.new, result.updated) == (0, 0)
    assert str(updated_at).startswith("2026-11-28")


def test_the_fetch_queue_is_read_in_pages_and_by_repo(engine: Engine) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        for number in range(1, 6):
            enqueue_fetch(session, what="comments", repo="Org/A", number=number, since=since, title="t")
        enqueue_fetch(session, what="comments", repo="org/b", number=1, since=since, title="t")
        enqueue_fetch(session, what="comments", repo="org/c", number=1, since=since)
        enqueue_fetch(session, what="comments", repo="org/c", number=2, since=since)
        enqueue_fetch(session, what="reviews", repo="org/b", number=2, since=since, title="t")
        session.commit()
        first = list_fetch_tasks(session, limit=3)
        rest = list_fetch_tasks(session, after_id=first[-1].id, limit=100)
        in_a = list_fetch_tasks(session, what="comments", repo_key="org/a")
        assert count_fetch_tasks(session) == 9
        assert [task.number for task in first] == [1, 2, 3]
        assert len(rest) == 6 and rest[0].id > first[-1].id
        assert [task.repo for task in in_a] == ["Org/A"] * 5
        assert in_a[0].since == since
        assert repos_with_titled_tasks(session, what="comments", at_least=2) == ["org/a"]
        assert repos_with_titled_tasks(session, what="comments", at_least=1) == ["org/a", "org/b"]


def test_text_postgresql_refuses_is_stored_without_it_on_every_backend(engine: Engine) -> None:
    """A NUL or a lone surrogate in a stranger's PR title must not fail every sync on PostgreSQL."""
    hostile = merge(7, "ivy", "huggingface/transformers", 3, title="fix\x00 the \ud800 loader")
    with Session(engine) as session:
        upsert_contributions(session, [hostile], now=NOW)
        enqueue_fetch(
            session, what="comments", repo="huggingface/transformers", number=7, since=NOW, title="a\x00b"
        )
        session.commit()
        (stored,) = list_contributions(session, where=ContributionFilter())
        (task,) = list_fetch_tasks(session)

    assert stored.title == "fix the \ufffd loader"
    assert task.title == "ab"


def test_repo_metadata_postgresql_refuses_is_stored_without_it(engine: Engine) -> None:
    record = RepoRecord(
        "acme/model",
        True,
        False,
        False,
        False,
        1,
        ("l\x00lm",),
        "weights\x00 and \udc00 code",
        "MIT",
        True,
        "https://github.com/acme/model",
        NOW,
    )
    with Session(engine) as session:
        upsert_repo(session, record)
        session.commit()
        stored = get_repo(session, "acme/model")

    assert stored is not None
    assert stored.description == "weights and \ufffd code"
    assert stored.topics == ("llm",)


def test_grouped_counts_put_each_row_in_the_bucket_its_moment_falls_in_whatever_the_edges(
    engine: Engine,
) -> None:
    moments = [datetime(2026, 10, 1, tzinfo=UTC) + timedelta(hours=7 * index) for index in range(100)]
    rows = [
        Contribution(Kind.COMMENT, 9000 + index, "fay", "a/b", 1, "T", "https://x", moment)
        for index, moment in enumerate(moments)
    ]
    with Session(engine) as session:
        upsert_contributions(session, rows, now=NOW)
        session.commit()
    for count in (0, 1, 2, 7, 38):
        edges = [moments[0] + timedelta(hours=5 + 17 * step) for step in range(count)]
        bounds = [moments[0], *edges, moments[-1] + timedelta(seconds=1)]
        with Session(engine) as session:
            groups = list(group_contributions(session, where=ContributionFilter(), edges=bounds))
        expected = Counter(bisect_right(bounds, moment) - 1 for moment in moments)
        assert {group.bucket: group.total for group in groups} == dict(expected), count
