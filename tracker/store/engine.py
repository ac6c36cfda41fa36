"""Engine creation for SQLite (WAL, busy timeout) and PostgreSQL (psycopg 3, pooled)."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The database cannot be used; the message is safe to show (no password)."""


def make_engine(url: str) -> Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"database URL is not valid: {redact_url(url)}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return _postgres_engine(parsed)


POSTGRES_WORK_MEM = "64MB"


def _postgres_engine(url: sa.engine.URL) -> Engine:
    engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Counting groups weeks of contributions in memory (a hash aggregate) instead of an
        # on-disk sort; the default 4MB is too small for a year of a large organization.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET work_mem = '{POSTGRES_WORK_MEM}'")
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url: sa.engine.URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if url.database not in (None, "", ":memory:"):
            _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _switch_to_wal(cursor: Any) -> None:
    """Switching a new file to WAL needs it to itself, and SQLite answers "locked" at once rather
    than waiting out the busy timeout: processes starting together on a new file try again."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def redact_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"
