"""What every command shares: the run's settings and database, and the problems a user must fix.

Light on purpose: the command modules import it at start-up, so the settings (pydantic) and the
store (SQLAlchemy) are imported only when a command asks for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from tracker.config import Settings

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageProblem(Exception):
    """Something the user must fix in how they call the tool or in its environment (exit 2)."""


@dataclass
class App:
    config_path: str | None
    debug: bool
    log_format: str = "text"
    _settings: Settings | None = None

    def settings(self) -> Settings:
        """The config, validated whole: its `[schedule]` too, by the scheduler's own parser."""
        from jobs.triggers import next_fire_time
        from tracker.config import find_config_path, load_settings

        if self._settings is None:
            path = find_config_path(self.config_path)
            self._settings = load_settings(path, parse_schedule=next_fire_time)
        return self._settings

    def engine(self) -> Engine:
        """The database, migrated to the current schema."""
        import sqlalchemy as sa

        from tracker.store import migrate
        from tracker.store.engine import StoreError, make_engine, redact_url

        url = self.settings().database_url
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
        except sa.exc.OperationalError as error:
            raise StoreError(f"cannot open the database {redact_url(url)}: {error.orig}") from None
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        from sqlmodel import Session

        engine = self.engine()
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()


def github_token() -> str:
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageProblem(
            "GITHUB_TOKEN is not set: export a GitHub token (classic: read:org; fine-grained: read)"
        )
    return token
