"""The long-running scheduler behind `tracker schedule`.

One instance of each job at a time, missed runs coalesced, a misfire grace time. SIGTERM or
SIGINT stops it cleanly: no new job starts, a running sync stops at its next safe point, and
the process exits 0.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler

from jobs.triggers import build_trigger
from tracker.cancel import CancelToken
from tracker.health import HEARTBEAT_SECONDS

MISFIRE_GRACE_SECONDS = 300
# Every job: one instance at a time, missed runs coalesced into one, run late within the grace time.
# Given to each job rather than as the scheduler's job_defaults, which APScheduler applies only when
# it starts: get_jobs() before start() must show them.
JOB_OPTIONS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS}
HEARTBEAT_JOB = "heartbeat"
log = logging.getLogger("tracker.schedule")


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    schedule: str
    run: Callable[[], None]


def build_scheduler(
    jobs: list[JobSpec], timezone: str, *, heartbeat: Callable[[], None] | None = None
) -> BlockingScheduler:
    """A scheduler with the jobs added (inspectable with get_jobs() before start()).

    `heartbeat`, when given, runs every HEARTBEAT_SECONDS on the scheduler's own clock, in its
    own job, so a long sync does not make a healthy scheduler look dead.
    """
    scheduler = BlockingScheduler(timezone=timezone)
    for job in jobs:
        trigger = build_trigger(job.schedule, timezone)
        scheduler.add_job(_logged(job), trigger=trigger, id=job.job_id, name=job.job_id, **JOB_OPTIONS)
    if heartbeat is not None:
        beats = JobSpec(HEARTBEAT_JOB, f"every {HEARTBEAT_SECONDS}s", heartbeat)
        scheduler.add_job(
            _logged(beats),
            trigger=build_trigger(beats.schedule, timezone),
            id=HEARTBEAT_JOB,
            name=HEARTBEAT_JOB,
            next_run_time=datetime.now(ZoneInfo(timezone)),
            **JOB_OPTIONS,
        )
    return scheduler


def _logged(job: JobSpec) -> Callable[[], None]:
    def run() -> None:
        try:
            job.run()
        except Exception as error:  # a failing run must not stop the schedule
            log.error("%s failed: %s", job.job_id, error, extra={"job": job.job_id})
            log.debug("%s failed", job.job_id, exc_info=True, extra={"job": job.job_id})

    return run


def next_runs(scheduler: BlockingScheduler) -> Mapping[str, str]:
    """When each job runs next; works before start(), when jobs are still pending."""
    now = datetime.now(ZoneInfo(str(scheduler.timezone)))
    runs = {}
    for job in scheduler.get_jobs():
        moment = job.trigger.get_next_fire_time(None, now)
        runs[job.id] = moment.isoformat() if moment else "never"
    return runs


def run_scheduler(scheduler: BlockingScheduler, cancel: CancelToken) -> None:
    """Block until SIGTERM/SIGINT, then let the running job stop at a safe point and return."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping at the running job's next safe point", signal.Signals(signum).name)
        cancel.request()
        scheduler.shutdown(wait=True)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        for job_id, moment in next_runs(scheduler).items():
            log.info("%s: next run at %s", job_id, moment, extra={"job": job_id, "next_run": moment})
        scheduler.start()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    log.info("scheduler stopped")
