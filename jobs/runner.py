"""The job functions (sync, digest) and the wiring that runs them on the configured schedule."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from jobs.scheduler import JobSpec, build_scheduler, run_scheduler
from tracker.cancel import Cancelled, CancelToken
from tracker.config import Settings
from tracker.health import beat, heartbeat_path
from tracker.sync.run import sync_with_github

log = logging.getLogger("tracker.jobs")


class JobProgress:
    """Progress of an unattended job: phases as info lines, warnings as warnings, no bar."""

    def __init__(self, job: str) -> None:
        self._job = job

    def phase(self, description: str, total: int) -> None:
        if total:
            log.info("%s: %d to do", description, total, extra={"job": self._job, "total": total})

    def advance(self, amount: int = 1) -> None:
        return None

    def say(self, message: str) -> None:
        log.warning(message, extra={"job": self._job})


def make_sync_job(
    *, settings: Settings, engine: Engine, token: str, cancel: CancelToken
) -> Callable[[], None]:
    def sync_job() -> None:
        progress = JobProgress("sync")
        try:
            summary = sync_with_github(
                settings=settings, engine=engine, token=token, progress=progress, cancel=cancel
            )
        except Cancelled:
            log.info("sync stopped at a safe point", extra={"job": "sync"})
            return
        if summary is not None:
            log.info(summary.line(), extra={"job": "sync", **summary.figures()})

    return sync_job


def schedule_jobs(
    settings: Settings, *, sync_job: Callable[[], None] | None, digest_job: Callable[[], None] | None
) -> list[JobSpec]:
    jobs = []
    if settings.schedule.sync and sync_job is not None:
        jobs.append(JobSpec("sync", settings.schedule.sync, sync_job))
    if settings.schedule.digest and digest_job is not None:
        jobs.append(JobSpec("digest", settings.schedule.digest, digest_job))
    return jobs


def run_schedule(
    settings: Settings,
    *,
    sync_job: Callable[[], None],
    digest_job: Callable[[], None] | None,
    cancel: CancelToken,
) -> None:
    jobs = schedule_jobs(settings, sync_job=sync_job, digest_job=digest_job)
    path = heartbeat_path()
    scheduler = build_scheduler(
        jobs, settings.schedule.timezone, heartbeat=lambda: beat(path, datetime.now(UTC))
    )
    run_scheduler(scheduler, cancel)
