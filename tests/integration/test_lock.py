"""One sync at a time per database: across engines, across processes, with leases that run out."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.conftest import POSTGRES_ENV
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.runs import DatabaseLock, LockLost


def test_a_second_holder_is_refused_until_the_first_releases(engine: Engine, database_url: str) -> None:
    other_engine = make_engine(database_url)
    first, second = DatabaseLock(engine), DatabaseLock(other_engine)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        first.release()
        assert second.acquire() is True
    finally:
        first.release()
        second.release()
        other_engine.dispose()


def test_locks_with_different_names_do_not_conflict(engine: Engine) -> None:
    with DatabaseLock(engine, "sync") as sync_lock, DatabaseLock(engine, "digest") as digest_lock:
        assert sync_lock.held and digest_lock.held


def test_a_lock_held_by_another_process_refuses_this_one(engine: Engine, database_url: str) -> None:
    with _holder_process(database_url) as holder:
        assert _read_line(holder) == "held"
        assert DatabaseLock(engine).acquire() is False
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    with DatabaseLock(engine) as lock:
        assert lock.held


def test_a_killed_holder_frees_the_lock(engine: Engine, database_url: str) -> None:
    """PostgreSQL drops the advisory lock with the connection; SQLite's lease runs out."""
    with _holder_process(database_url) as holder:
        assert _read_line(holder) == "held"
        holder.kill()
        holder.wait(timeout=30)
    after_the_lease = datetime.now(UTC) + timedelta(minutes=6)
    lock = DatabaseLock(engine, clock=lambda: after_the_lease)
    try:
        assert lock.acquire() is True
    finally:
        lock.release()


def _holder_process(database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, database_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _read_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """Leases are SQLite's mechanism (PostgreSQL's advisory lock cannot expire)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'lease.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_an_expired_lease_is_taken_over_and_the_old_holder_learns_it(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    clock = {"now": now}
    first = DatabaseLock(engine, lease=timedelta(minutes=5), clock=lambda: clock["now"])
    second = DatabaseLock(engine, lease=timedelta(minutes=5), clock=lambda: clock["now"])
    assert first.acquire()
    clock["now"] = now + timedelta(minutes=6)
    assert second.acquire()
    with pytest.raises(LockLost):
        first.renew()
    second.release()


def test_renewing_keeps_the_lease_alive(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    clock = {"now": now}
    holder = DatabaseLock(engine, lease=timedelta(minutes=5), clock=lambda: clock["now"])
    rival = DatabaseLock(engine, lease=timedelta(minutes=5), clock=lambda: clock["now"])
    assert holder.acquire()
    for minutes in (2, 4, 6, 8):
        clock["now"] = now + timedelta(minutes=minutes)
        holder.renew()
        assert rival.acquire() is False
    holder.release()


_HOLD_LOCK = textwrap.dedent(
    """
    import sys
    from tracker.store.engine import make_engine
    from tracker.store.runs import DatabaseLock
    lock = DatabaseLock(make_engine(sys.argv[1]))
    assert lock.acquire()
    print("held", flush=True)
    sys.stdin.read()
    lock.release()
    """
)


def test_a_lease_left_by_a_dead_process_on_this_host_is_taken_at_once(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    url = str(sqlite_engine.url)
    with _holder_process(url) as holder:
        assert _read_line(holder) == "held"
        holder.kill()
        holder.wait(timeout=30)
    lock = DatabaseLock(sqlite_engine)
    try:
        assert lock.acquire() is True
    finally:
        lock.release()


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> str:
    """The advisory lock is PostgreSQL's mechanism; CI always configures the server."""
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return str(request.getfixturevalue("postgres_base_url"))


def test_an_advisory_lock_still_held_renews_quietly(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        with DatabaseLock(engine) as lock:
            lock.renew()
            lock.renew()
            assert lock.held
    finally:
        engine.dispose()


def test_a_dropped_lock_connection_is_noticed_at_the_next_renewal(postgres_url: str) -> None:
    """Killing the lock's session frees the lock for others: the holder must stop before writing."""
    engine, other = make_engine(postgres_url), make_engine(postgres_url)
    lock, rival = DatabaseLock(engine), DatabaseLock(other)
    try:
        assert lock.acquire()
        with other.connect() as admin:
            terminated = admin.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND objid = CAST(:key AS oid)"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"key": zlib.crc32(b"tracker:sync")},
            ).all()
        assert terminated == [(True,)]

        with pytest.raises(LockLost, match="connection was lost"):
            lock.renew()
        assert not lock.held
        assert rival.acquire()
    finally:
        lock.release()
        rival.release()
        engine.dispose()
        other.dispose()
