"""Schema migrations: from an empty database, from the previous schema, and in step with the models."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import Session, SQLModel

import tracker.store.digests
import tracker.store.lock
import tracker.store.models  # noqa: F401  (all tables on the metadata)
from tracker.domain import Contribution, Kind
from tracker.store import migrate
from tracker.store import repository as store
from tracker.store.engine import make_engine


def test_an_empty_database_is_upgraded_to_the_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert {"contribution", "repo", "login_cursor", "sync_lock", "digest_post"} <= set(
            sa.inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_upgrading_from_the_first_schema_keeps_the_history(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0001")
        moment = datetime(2026, 10, 1, tzinfo=UTC)
        with Session(engine) as session:
            store.upsert_contributions(
                session,
                [Contribution(Kind.COMMENT, 42, "fay", "a/b", 1, "Title", "https://x", moment)],
                now=moment,
            )
            session.commit()
        migrate.upgrade(engine)
        with Session(engine) as session:
            (kept,) = store.list_contributions(session, where=store.ContributionFilter())
        assert (kept.github_id, kept.login, kept.occurred_at) == (42, "fay", moment)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(engine: sa.engine.Engine) -> None:
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == before == migrate.head_revision()
