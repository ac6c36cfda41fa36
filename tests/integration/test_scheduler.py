"""The scheduler's wiring, inspected before start, and one real run with a fast interval."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import Engine

from jobs.scheduler import MISFIRE_GRACE_SECONDS, JobSpec, build_scheduler, next_runs
from jobs.triggers import ScheduleSpecError, build_trigger, parse_interval
from tests.integration import digest_world as world
from tracker.health import HEARTBEAT_ENV


def test_every_specs_become_intervals() -> None:
    assert parse_interval("every 30s") == timedelta(seconds=30)
    assert parse_interval("every 15m") == timedelta(minutes=15)
    assert parse_interval("Every 2h") == timedelta(hours=2)
    assert parse_interval("0 * * * *") is None


def test_a_crontab_becomes_a_cron_trigger_in_the_schedule_timezone() -> None:
    trigger = build_trigger("0 9 * * MON", "Europe/Berlin")
    assert isinstance(trigger, CronTrigger)
    assert str(trigger.timezone) == "Europe/Berlin"


def test_an_interval_becomes_an_interval_trigger() -> None:
    trigger = build_trigger("every 15m", "UTC")
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == timedelta(minutes=15)


@pytest.mark.parametrize("spec", ["every 0m", "hourly", "0 * * *", "61 * * * *", "every 5 parsecs"])
def test_bad_specs_are_refused_with_the_spec_in_the_message(spec: str) -> None:
    with pytest.raises(ScheduleSpecError, match=spec.split()[0]):
        build_trigger(spec, "UTC")


def test_jobs_have_ids_one_instance_coalescing_and_a_grace_time() -> None:
    scheduler = build_scheduler(
        [JobSpec("sync", "0 * * * *", lambda: None), JobSpec("digest", "0 9 * * MON", lambda: None)],
        "Europe/Berlin",
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}

    assert set(jobs) == {"sync", "digest"}
    for job in jobs.values():
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, MISFIRE_GRACE_SECONDS)


def test_next_runs_are_known_before_start() -> None:
    scheduler = build_scheduler([JobSpec("digest", "0 9 * * MON", lambda: None)], "Europe/Berlin")

    (moment,) = next_runs(scheduler).values()

    assert "T09:00:00+0" in moment


def test_an_overlapping_run_is_refused_while_one_is_running() -> None:
    running = 0
    most_at_once = 0
    started = 0
    release = threading.Event()
    lock = threading.Lock()

    def slow_job() -> None:
        nonlocal running, most_at_once, started
        with lock:
            running += 1
            started += 1
            most_at_once = max(most_at_once, running)
        release.wait(timeout=5)
        with lock:
            running -= 1

    scheduler = build_scheduler([JobSpec("sync", "every 1s", slow_job)], "UTC")
    runner = threading.Thread(target=scheduler.start, daemon=True)
    runner.start()
    deadline = time.monotonic() + 10
    while started == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2.2)  # two more ticks fall while the first run is still going
    release.set()
    scheduler.shutdown(wait=True)
    runner.join(timeout=5)

    assert started == 1
    assert most_at_once == 1


def test_a_failing_job_does_not_stop_the_schedule(caplog: pytest.LogCaptureFixture) -> None:
    calls = 0
    done = threading.Event()

    def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("GitHub is down")
        done.set()

    scheduler = build_scheduler([JobSpec("sync", "every 1s", flaky)], "UTC")
    runner = threading.Thread(target=scheduler.start, daemon=True)
    runner.start()
    assert done.wait(timeout=10)
    scheduler.shutdown(wait=True)
    runner.join(timeout=5)

    assert calls >= 2
    assert any("sync failed: GitHub is down" in record.getMessage() for record in caplog.records)


def test_a_failing_job_logs_one_error_line_and_its_traceback_at_debug_level(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> None:
        raise RuntimeError("GitHub is down")

    (job,) = build_scheduler([JobSpec("sync", "every 1s", broken)], "UTC").get_jobs()
    with caplog.at_level(logging.DEBUG, logger="tracker.schedule"):
        job.func()

    error, debug = caplog.records
    assert (error.levelno, error.getMessage(), error.exc_info) == (
        logging.ERROR,
        "sync failed: GitHub is down",
        None,
    )
    assert debug.levelno == logging.DEBUG
    traceback = caplog.handler.format(debug)  # a redacting filter may have turned exc_info into text
    assert "Traceback" in traceback
    assert "RuntimeError: GitHub is down" in traceback


def test_a_heartbeat_job_beats_at_once_and_then_every_thirty_seconds() -> None:
    beats: list[int] = []
    scheduler = build_scheduler(
        [JobSpec("sync", "0 * * * *", lambda: None)], "UTC", heartbeat=lambda: beats.append(1)
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}

    assert set(jobs) == {"sync", "heartbeat"}
    heartbeat = jobs["heartbeat"]
    assert heartbeat.trigger.interval.total_seconds() == 30
    assert heartbeat.next_run_time is not None
    assert (heartbeat.max_instances, heartbeat.coalesce) == (1, True)


def test_sigterm_while_the_digest_waits_for_slack_stops_the_scheduler_within_seconds(
    tmp_path: Path, database_url: str, engine: Engine, httpserver: HTTPServer
) -> None:
    world.fill(engine)
    config = world.write_config(tmp_path, database_url, slack='channel = "C123ABC456"')
    config.write_text(config.read_text() + '\n[schedule]\nsync = "0 0 1 1 *"\ndigest = "every 1s"\n')
    httpserver.expect_request("/api/chat.postMessage").respond_with_json(
        {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "200"}
    )
    environ = {
        **os.environ,
        "GITHUB_TOKEN": "ghp_unused",
        "SLACK_BOT_TOKEN": "xoxb-scheduler",
        "SLACK_API_URL": httpserver.url_for("/api/"),
        HEARTBEAT_ENV: str(tmp_path / "heartbeat"),
    }
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "--config", str(config), "schedule"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not httpserver.log and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpserver.log, "the digest job never reached Slack"
        time.sleep(0.5)  # well into the 200 s that Slack asked for
        stopping = time.monotonic()
        scheduler.send_signal(signal.SIGTERM)
        code = scheduler.wait(timeout=10)
        took = time.monotonic() - stopping
    finally:
        scheduler.kill()
        _, err = scheduler.communicate()

    assert code == 0, err
    assert took < 5
    assert "digest stopped" in err
    assert len(httpserver.log) == 1
