"""Throw-away databases for one measurement: a SQLite file, or a PostgreSQL database of its own."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class Database:
    backend: str
    name: str
    url: str


class Databases:
    """Creates and drops databases; PostgreSQL ones are made through `postgres_url`'s server."""

    def __init__(self, workdir: Path, postgres_url: str | None) -> None:
        self._workdir = workdir
        self._postgres_url = postgres_url
        self._made: list[Database] = []

    @property
    def backends(self) -> list[str]:
        return [SQLITE, POSTGRESQL] if self._postgres_url else [SQLITE]

    def create(self, name: str, backend: str) -> Database:
        unique = f"bench_{name}_{os.getpid()}"
        if backend == SQLITE:
            path = self._workdir / f"{unique}.db"
            for stale in (path, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
                stale.unlink(missing_ok=True)
            database = Database(SQLITE, unique, f"sqlite:///{path}")
        else:
            database = Database(POSTGRESQL, unique, self._create_postgres(unique))
        self._made.append(database)
        return database

    def drop(self, database: Database) -> None:
        if database.backend == SQLITE:
            path = Path(database.url.removeprefix("sqlite:///"))
            for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                file.unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
        if database in self._made:
            self._made.remove(database)

    def drop_all(self) -> None:
        for database in list(self._made):
            self.drop(database)

    def server_version(self) -> str | None:
        if not self._postgres_url:
            return None
        engine = sa.create_engine(self._postgres_url)
        try:
            with engine.connect() as connection:
                return str(connection.execute(sa.text("SHOW server_version")).scalar_one())
        finally:
            engine.dispose()

    def _create_postgres(self, name: str) -> str:
        assert self._postgres_url is not None
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(self._postgres_url).set(database=name)
        return url.render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        assert self._postgres_url is not None
        engine = sa.create_engine(self._postgres_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(statement))
        finally:
            engine.dispose()
