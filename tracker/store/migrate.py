"""Schema migrations with Alembic, applied from the package (no alembic.ini needed).

Every command calls `upgrade` when it starts. A database already at `HEAD_REVISION` costs one
query and no Alembic import: Alembic (and Mako with it) loads only when there is work to do.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "tracker.store:migrations"
VERSION_TABLE = "alembic_version"
# The newest migration in migrations/versions; a test checks it against Alembic's own answer.
HEAD_REVISION = "0012"
MIGRATION_LOCK_KEY = zlib.crc32(b"tracker:migrate")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply pending migrations, one process at a time.

    Any number of processes may start together on a new or old database (a CronJob and a
    scheduler replica on a fresh volume): one migrates under the lock, the others wait for it,
    find the schema at the head and go on.
    """
    if revision == "head" and not pending(engine):
        return
    from alembic import command

    with engine.connect() as connection:
        _lock_for_migration(connection)
        if revision == "head" and _revision(connection) == HEAD_REVISION:
            connection.rollback()
            return
        command.upgrade(alembic_config(connection), revision)
        connection.commit()


def _lock_for_migration(connection: Connection) -> None:
    """PostgreSQL: an advisory lock held until the migration's transaction ends. SQLite: the
    database's write lock taken up front (BEGIN IMMEDIATE; others wait out the busy timeout),
    since its driver would otherwise run each CREATE TABLE outside any transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (what Alembic records in its version table), or None."""
    with engine.connect() as connection:
        return _revision(connection)


def _revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    version = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if version is None else str(version)


def pending(engine: Engine) -> bool:
    return current_revision(engine) != HEAD_REVISION
