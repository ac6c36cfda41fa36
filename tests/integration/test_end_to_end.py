"""Whole processes against the local GitHub emulator: `tracker` as an operator runs it.

The emulator (bench/emulator, run as its own process) is an independent implementation of
GitHub's side, with its own ground truth of what a correct tracker counts; these tests compare the two.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.github_emulator import Emulator, running_emulator
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.runs import DatabaseLock

TOPICS = ("llm", "machine-learning", "deep-learning")
HISTORY_DAYS = 60
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
SINCE = datetime.now(UTC).date() - timedelta(days=HISTORY_DAYS)

Row = tuple[str, str, str, int, str]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    world = ["--seed=7", "--people=14", "--repos=10", "--contributions=2500", "--days=90"]
    clock = f"--now={NOW:%Y-%m-%dT%H:%M:%SZ}"
    with running_emulator(*world, clock, "--search-limit=100000", "--core-limit=100000") as running:
        yield running


@pytest.fixture
def expected(emulator: Emulator) -> set[Row]:
    since = datetime.combine(SINCE, datetime.min.time(), tzinfo=UTC)
    return {_row(row) for row in emulator.truth(since, TOPICS)}


@pytest.fixture
def workdir(tmp_path: Path, database_url: str, emulator: Emulator) -> Path:
    (tmp_path / "tracker.toml").write_text(
        textwrap.dedent(
            f"""
            [github]
            org = "acme"

            [repos]
            topics = {json.dumps(list(TOPICS))}

            [database]
            url = "{database_url}"
            """
        ),
        encoding="utf-8",
    )
    return tmp_path


def _env(emulator: Emulator) -> dict[str, str]:
    return {
        **os.environ,
        "GITHUB_TOKEN": "ghp_endtoend0000000000000000000000000000",
        "GITHUB_API_URL": emulator.url,
        "TRACKER_LOG_FORMAT": "",
    }


def tracker(
    workdir: Path, emulator: Emulator, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", "--config", str(workdir / "tracker.toml"), *args],
        env=_env(emulator),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def background(workdir: Path, emulator: Emulator, *args: str) -> subprocess.Popen[str]:
    """`tracker` running in the background, its stderr readable line by line."""
    command = [sys.executable, "-m", "tracker.cli", "--config", str(workdir / "tracker.toml"), *args]
    return subprocess.Popen(
        command, env=_env(emulator), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def stored(workdir: Path, emulator: Emulator) -> list[Row]:
    result = tracker(workdir, emulator, "query", "--since", SINCE.isoformat(), "--format", "json")
    assert result.returncode == 0, result.stderr
    return [_row(row) for row in json.loads(result.stdout)]


def _row(row: dict[str, Any]) -> Row:
    return (row["kind"], row["login"].lower(), row["repo"].lower(), row["number"], row["occurred_at"])


def test_a_sync_counts_exactly_what_the_emulators_ground_truth_counts(
    workdir: Path, emulator: Emulator, expected: set[Row]
) -> None:
    result = tracker(workdir, emulator, "sync", "--since", SINCE.isoformat())

    assert result.returncode == 0, result.stderr
    assert "sync done:" in result.stderr
    rows = stored(workdir, emulator)
    assert len(rows) == len(set(rows))
    assert set(rows) == expected
    assert len(expected) > 300


def test_a_sync_killed_with_sigkill_and_run_again_loses_and_duplicates_nothing(
    workdir: Path, emulator: Emulator, expected: set[Row]
) -> None:
    with background(workdir, emulator, "sync", "--since", SINCE.isoformat()) as victim:
        _wait_for_line(victim, "people's activity")
        time.sleep(0.5)
        victim.kill()
        victim.wait(timeout=30)

    result = tracker(workdir, emulator, "sync", "--since", SINCE.isoformat())

    assert result.returncode == 0, result.stderr
    rows = stored(workdir, emulator)
    assert len(rows) == len(set(rows))
    assert set(rows) == expected


def test_sigterm_stops_a_sync_at_a_safe_point_and_the_next_run_completes_it(
    workdir: Path, emulator: Emulator, expected: set[Row]
) -> None:
    with background(workdir, emulator, "sync", "--since", SINCE.isoformat()) as victim:
        _wait_for_line(victim, "people's activity")
        victim.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = victim.wait(timeout=30)
        assert victim.stderr is not None
        err = victim.stderr.read()
    assert time.monotonic() - started < 5
    assert code == 130
    assert "stopped at a safe point" in err

    result = tracker(workdir, emulator, "sync")

    assert result.returncode == 0, result.stderr
    assert set(stored(workdir, emulator)) == expected


def test_the_scheduler_runs_its_sync_and_exits_0_on_sigterm(
    workdir: Path, emulator: Emulator, expected: set[Row], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_HEARTBEAT_FILE", str(workdir / "heartbeat"))
    before = tracker(workdir, emulator, "doctor", "--health")
    assert before.returncode == 1
    assert "no scheduler heartbeat" in before.stdout
    config = workdir / "tracker.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[sync]\nbackfill_days = {HISTORY_DAYS}\n\n[schedule]\nsync = "every 1s"\ndigest = ""\n',
        encoding="utf-8",
    )
    with background(workdir, emulator, "schedule") as scheduler:
        _wait_for_line(scheduler, "sync: next run at")
        _wait_for_line(scheduler, "sync done:", timeout=90)
        alive = tracker(workdir, emulator, "doctor", "--health")
        scheduler.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = scheduler.wait(timeout=30)
    assert code == 0
    assert time.monotonic() - started < 5
    assert set(stored(workdir, emulator)) == expected
    assert alive.returncode == 0, alive.stdout
    assert "the scheduler is alive" in alive.stdout


def test_a_sync_started_while_another_runs_says_so_and_exits_0(
    workdir: Path, emulator: Emulator, expected: set[Row], database_url: str
) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    running = DatabaseLock(engine)  # what a sync in another process holds while it runs
    assert running.acquire()
    try:
        second = tracker(workdir, emulator, "sync", "--since", SINCE.isoformat())
    finally:
        running.release()
        engine.dispose()

    assert second.returncode == 0
    assert "another sync is running on this database" in second.stderr
    assert stored(workdir, emulator) == []
    assert tracker(workdir, emulator, "sync", "--since", SINCE.isoformat()).returncode == 0
    assert set(stored(workdir, emulator)) == expected


def _wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 60) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if text in line:
            return
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"{text!r} never appeared (exit code {process.poll()})")
