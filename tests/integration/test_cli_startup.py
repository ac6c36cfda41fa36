"""The CLI starts light: help, version and a small query import no adapter they do not use.

Each probe runs in a fresh interpreter, which is the only place where `sys.modules` tells what a
command really imported.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import responses

from tests.integration.sync_support import Clock, build_scenario, run_sync, write_config
from tracker.cli import DATABASE_ERRORS, RUNTIME_ERRORS, USAGE_ERRORS
from tracker.store import migrate
from tracker.store.engine import make_engine

NOT_FOR_HELP = (
    "alembic", "github", "slack_sdk", "slack_bolt", "apscheduler", "mako", "sqlalchemy", "rich", "pydantic",
)  # fmt: skip
# APScheduler is allowed: every command that loads the config reads its [schedule] with the
# scheduler's own parser (jobs.triggers), so that no command accepts a spec `tracker schedule` refuses.
NOT_FOR_QUERY = (
    "alembic",
    "github",
    "slack_sdk",
    "slack_bolt",
    "mako",
    "rich",
    "sqlalchemy.dialects.postgresql",
)

PROBE = """
import json, sys
from tracker.cli import run

codes = [run(arguments) for arguments in json.loads(sys.argv[1])]
with open(sys.argv[2], "w") as out:
    json.dump({"codes": codes, "modules": sorted(sys.modules)}, out)
"""


class Probe(NamedTuple):
    codes: list[int]
    modules: set[str]
    stdout: str

    def loaded(self, packages: tuple[str, ...]) -> list[str]:
        """Those of the packages (or modules) that were imported."""
        return [name for name in packages if any(m == name or m.startswith(f"{name}.") for m in self.modules)]


def probe(tmp_path: Path, *commands: list[str], env: dict[str, str] | None = None) -> Probe:
    """Run the commands in turn in a new interpreter: exit codes, modules loaded, output."""
    report = tmp_path / "probe.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(commands), str(report)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        check=True,
        text=True,
        timeout=60,
    )
    result = json.loads(report.read_text(encoding="utf-8"))
    return Probe(result["codes"], set(result["modules"]), done.stdout)


def test_help_and_version_import_no_database_github_slack_scheduler_or_terminal_code(tmp_path: Path) -> None:
    result = probe(tmp_path, ["--help"], ["--version"], ["query", "--help"], ["digest", "--help"])

    assert result.codes == [0, 0, 0, 0]
    assert "tracker, version" in result.stdout
    assert result.loaded(NOT_FOR_HELP) == []


@pytest.fixture
def small_sqlite_config(tmp_path: Path) -> Path:
    """A config whose SQLite database, at the current schema, holds the hand-counted scenario."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    settings = write_config(tmp_path, url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        build_scenario().world.install(mock)
        run_sync(settings, engine, Clock())
    engine.dispose()
    return tmp_path / "tracker.toml"


def test_a_json_query_imports_no_migration_github_slack_or_terminal_code(
    tmp_path: Path, small_sqlite_config: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    command = ["--config", str(small_sqlite_config), "query", "--format", "json"]

    result = probe(tmp_path, command, env={"TRACKER_DATABASE_URL": url})

    assert result.codes == [0]
    assert len(json.loads(result.stdout)) == 13
    assert result.loaded(NOT_FOR_QUERY) == []


def test_every_error_named_for_an_exit_code_is_an_exception_class() -> None:
    for module, name in (*USAGE_ERRORS, *RUNTIME_ERRORS, *DATABASE_ERRORS):
        error = getattr(importlib.import_module(module), name)
        assert isinstance(error, type), f"{module}.{name}"
        assert issubclass(error, Exception), f"{module}.{name}"
