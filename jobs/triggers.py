"""Schedule specs from the config: a 5-field crontab, or "every 30s" / "every 15m" / "every 2h"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_EVERY = re.compile(r"every\s+(\d+)\s*(s|m|h|d)", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ScheduleSpecError(ValueError):
    pass


def parse_interval(spec: str) -> timedelta | None:
    match = _EVERY.fullmatch(spec.strip())
    if match is None:
        return None
    amount = int(match.group(1))
    if amount <= 0:
        raise ScheduleSpecError(f"{spec!r}: the interval must be positive")
    return timedelta(**{_UNITS[match.group(2).lower()]: amount})


def build_trigger(spec: str, timezone: str) -> BaseTrigger:
    zone = ZoneInfo(timezone)
    interval = parse_interval(spec)
    if interval is not None:
        return IntervalTrigger(seconds=interval.total_seconds(), timezone=zone)
    if len(spec.split()) != 5:
        raise ScheduleSpecError(f"{spec!r} is neither a 5-field crontab nor 'every N s|m|h|d'")
    try:
        return CronTrigger.from_crontab(spec, timezone=zone)
    except ValueError as error:
        raise ScheduleSpecError(f"{spec!r}: {error}") from None


def next_fire_time(spec: str, timezone: str, after: datetime | None = None) -> datetime | None:
    """When the spec fires next after `after` (now by default), read by the scheduler's own parser;
    ScheduleSpecError when it cannot read it. The config and `tracker doctor` validate with this,
    so a spec they accept is one `tracker schedule` runs."""
    trigger = build_trigger(spec, timezone)
    moment = after or datetime.now(UTC)
    fires: datetime | None = trigger.get_next_fire_time(None, moment.astimezone(ZoneInfo(timezone)))
    return fires
