"""The store's own contracts: upserts by natural key, and the first-merge record they keep."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.domain import Contribution, Kind
from tracker.store import repository as store

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
        first = store.upsert_contributions(
            session, [merge(1, "fay", "a/b", 2), merge(1, "fay", "a/b", 2)], now=NOW
        )
        again = store.upsert_contributions(session, [merge(1, "fay", "a/b", 2)], now=NOW)
        session.commit()
        assert (first.new, first.updated, again.new, again.updated) == (1, 0, 0, 0)
        assert store.count_stored_contributions(session) == 1


def test_a_changed_title_is_an_update_not_a_new_row(engine: Engine) -> None:
    with Session(engine) as session:
        store.upsert_contributions(session, [merge(1, "fay", "a/b", 2)], now=NOW)
        result = store.upsert_contributions(session, [merge(1, "fay", "a/b", 2, title="Renamed")], now=NOW)
        session.commit()
        (row,) = store.list_contributions(session, where=store.ContributionFilter())
    assert (result.new, result.updated, row.title) == (0, 1, "Renamed")


def test_the_same_id_under_two_kinds_is_two_contributions(engine: Engine) -> None:
    opened = Contribution(
        Kind.PR_OPENED, 1, "fay", "a/b", 1, "T", "https://x", datetime(2026, 10, 1, tzinfo=UTC)
    )
    with Session(engine) as session:
        result = store.upsert_contributions(session, [opened, merge(1, "fay", "a/b", 2)], now=NOW)
        session.commit()
    assert result.new == 2


def test_the_first_merge_is_the_earliest_whatever_the_order_of_arrival(engine: Engine) -> None:
    with Session(engine) as session:
        store.upsert_contributions(session, [merge(5, "fay", "A/B", 20)], now=NOW)
        store.upsert_contributions(session, [merge(4, "fay", "a/b", 9), merge(3, "fay", "a/b", 30)], now=NOW)
        store.upsert_contributions(session, [merge(2, "fay", "a/b", 9)], now=NOW)
        store.upsert_contributions(session, [merge(6, "gus", "a/b", 1)], now=NOW)
        session.commit()
        firsts = store.first_merge_per_person_repo(session, logins=["FAY", "gus"], repos=["a/b"])
    assert [(m.login, m.github_id) for m in firsts] == [("gus", 6), ("fay", 2)]


def test_bulk_ingest_in_several_batches_keeps_every_row(engine: Engine) -> None:
    rows = [
        Contribution(
            Kind.COMMENT, n, f"user{n % 7}", f"org/repo{n % 5}", n, "t", "u", datetime(2026, 1, 1, tzinfo=UTC)
        )
        for n in range(store.UPSERT_BATCH * 2 + 17)
    ]
    with Session(engine) as session:
        result = store.upsert_contributions(session, iter(rows), now=NOW)
        session.commit()
        assert result.new == len(rows)
        assert store.count_stored_contributions(session) == len(rows)
