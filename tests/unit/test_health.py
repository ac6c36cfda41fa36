"""The scheduler's heartbeat, as the container's health check reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.health import STALE_AFTER, beat, health, heartbeat_path

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def test_a_fresh_heartbeat_is_healthy(tmp_path: Path) -> None:
    path = tmp_path / "beat"
    beat(path, NOW - timedelta(seconds=20))

    verdict = health(path, NOW)

    assert verdict.healthy
    assert verdict.detail == "the scheduler is alive: last heartbeat 20 s ago"


def test_a_stale_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    path = tmp_path / "beat"
    beat(path, NOW - STALE_AFTER - timedelta(seconds=1))

    verdict = health(path, NOW)

    assert not verdict.healthy
    assert "121 s ago: it is stuck or stopped" in verdict.detail


def test_no_heartbeat_says_what_to_check(tmp_path: Path) -> None:
    verdict = health(tmp_path / "missing", NOW)

    assert not verdict.healthy
    assert "is `tracker schedule` running?" in verdict.detail


def test_a_garbled_heartbeat_is_unhealthy_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "beat"
    path.write_text("not a time", encoding="utf-8")

    assert not health(path, NOW).healthy


def test_the_heartbeat_file_comes_from_the_environment(tmp_path: Path) -> None:
    assert heartbeat_path({"TRACKER_HEARTBEAT_FILE": str(tmp_path / "b")}) == tmp_path / "b"
    assert heartbeat_path({}).name == "tracker-scheduler.heartbeat"
