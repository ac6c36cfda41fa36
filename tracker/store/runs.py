"""Sync runs: their record, and the lock that lets one run at a time per database, across
processes and machines.

PostgreSQL: a session-level advisory lock, released by the server if the process dies.
SQLite: a lock row with a lease that the holder renews; a crashed holder's lease runs out.
"""

from __future__ import annotations

import os
import socket
import uuid
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, Session, SQLModel, col, select

from tracker.store.engine import StoreError
from tracker.store.tables import SyncRunRow, utc_column


def start_sync_run(session: Session, *, now: datetime) -> SyncRunRow:
    run = SyncRunRow(started_at=now)
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def last_sync_run(session: Session) -> SyncRunRow | None:
    statement = select(SyncRunRow).order_by(col(SyncRunRow.id).desc()).limit(1)
    return session.exec(statement).first()


def last_successful_sync(session: Session) -> SyncRunRow | None:
    statement = (
        select(SyncRunRow).where(SyncRunRow.status == "ok").order_by(col(SyncRunRow.id).desc()).limit(1)
    )
    return session.exec(statement).first()


# One run at a time ------------------------------------------------------------------------------

DEFAULT_LEASE = timedelta(minutes=5)
_HELD_IN_THIS_PROCESS: set[str] = set()


class LockLost(StoreError):
    """The lock is no longer ours (a lease taken over, a lock connection gone): stop writing."""


class LockRow(SQLModel, table=True):
    __tablename__ = "sync_lock"

    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=200)
    expires_at: datetime = Field(sa_column=utc_column())


def describe_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class DatabaseLock:
    def __init__(
        self,
        engine: Engine,
        name: str = "sync",
        *,
        lease: timedelta = DEFAULT_LEASE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self._name = name
        self._lease = lease
        self._clock = clock
        self.owner = describe_owner()
        self._connection: Connection | None = None
        self._renewed_at: datetime | None = None
        self.held = False

    @property
    def _postgres(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        self.held = self._acquire_advisory() if self._postgres else self._acquire_lease()
        if self.held:
            _HELD_IN_THIS_PROCESS.add(self.owner)
        return self.held

    def renew(self) -> None:
        """Confirm the lock is still ours before more is written; raises LockLost when it is not.

        PostgreSQL: the advisory lock lives as long as its connection, which nobody else watches,
        so every renewal asks the server whether that very session still holds it. SQLite: extend
        the lease; cheap to call often, it writes at most every lease/5.
        """
        if not self.held:
            return
        if self._postgres:
            self._confirm_advisory()
            return
        now = self._clock()
        if self._renewed_at is not None and now - self._renewed_at < self._lease / 5:
            return
        with self._engine.begin() as connection:
            updated = connection.execute(
                sa.update(LockRow)
                .where(col(LockRow.name) == self._name, col(LockRow.owner) == self.owner)
                .values(expires_at=now + self._lease)
            )
        if updated.rowcount != 1:
            self.held = False
            raise LockLost(f"the {self._name} lock was taken over by another process")
        self._renewed_at = now

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        _HELD_IN_THIS_PROCESS.discard(self.owner)
        if self._postgres:
            assert self._connection is not None
            self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key()})
            self._connection.close()
            self._connection = None
            return
        with self._engine.begin() as connection:
            connection.execute(
                sa.delete(LockRow).where(col(LockRow.name) == self._name, col(LockRow.owner) == self.owner)
            )

    def holder(self) -> str | None:
        """Who holds the lease now (SQLite), for the message a second process prints."""
        if self._postgres:
            return None
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(col(LockRow.owner)).where(col(LockRow.name) == self._name)
            ).first()
        return row[0] if row else None

    def __enter__(self) -> DatabaseLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()

    def _key(self) -> int:
        return zlib.crc32(f"tracker:{self._name}".encode())

    def _acquire_advisory(self) -> bool:
        connection = self._engine.connect()
        connection.execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key()}).scalar()
        if got:
            connection.commit()
            self._connection = connection
            return True
        connection.close()
        return False

    def _confirm_advisory(self) -> None:
        assert self._connection is not None
        try:
            held = self._connection.execute(_HOLDS_ADVISORY_LOCK, {"key": self._key()}).scalar()
        except sa.exc.DBAPIError:
            held = False
        if not held:
            self._forget_lost_connection()
            raise LockLost(
                f"the {self._name} lock's database connection was lost; stopped before writing more"
            )

    def _forget_lost_connection(self) -> None:
        self.held = False
        _HELD_IN_THIS_PROCESS.discard(self.owner)
        if self._connection is not None:
            self._connection.invalidate()
            self._connection.close()
            self._connection = None

    def _acquire_lease(self) -> bool:
        now = self._clock()
        expires = now + self._lease
        with self._engine.begin() as connection:
            taken = connection.execute(
                sa.update(LockRow)
                .where(col(LockRow.name) == self._name, col(LockRow.expires_at) < now)
                .values(owner=self.owner, expires_at=expires)
            ).rowcount
            if taken == 1:
                self._renewed_at = now
                return True
        if self._take_over_from_a_dead_holder(now, expires):
            return True
        try:
            with self._engine.begin() as connection:
                row = {"name": self._name, "owner": self.owner, "expires_at": expires}
                connection.execute(sa.insert(LockRow).values(row))
        except sa.exc.IntegrityError:
            return False
        self._renewed_at = now
        return True

    def _take_over_from_a_dead_holder(self, now: datetime, expires: datetime) -> bool:
        """A holder on this host whose process is gone (kill -9, OOM) does not make us wait for its lease."""
        holder = self.holder()
        if holder is None or not holder_is_dead(holder):
            return False
        with self._engine.begin() as connection:
            taken = connection.execute(
                sa.update(LockRow)
                .where(col(LockRow.name) == self._name, col(LockRow.owner) == holder)
                .values(owner=self.owner, expires_at=expires)
            ).rowcount
        if taken == 1:
            self._renewed_at = now
        return taken == 1


# Asked on the lock's own connection: after a dropped connection SQLAlchemy would reconnect
# silently, and a new session holds nothing, so "the query worked" proves nothing.
_HOLDS_ADVISORY_LOCK = sa.text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = 0 AND objid = CAST(:key AS oid) AND objsubid = 1)"
)


def holder_is_dead(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():  # ours, or a restarted container's predecessor that had the same PID
        return owner not in _HELD_IN_THIS_PROCESS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
