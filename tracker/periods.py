"""Digest periods: weeks (Monday 00:00 to Monday 00:00) and calendar months in a time zone.

Pure. A period is a local calendar span turned into UTC-aware `[start, end)` instants at
the edges, so that a week across a DST change lasts 167 or 169 hours, as it should.
A local midnight that does not exist (a DST gap at 00:00) resolves to the first instant
of that day, which is what zoneinfo's `fold=0` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PeriodKind = Literal["week", "month"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month")
EN_DASH = "\u2013"


@dataclass(frozen=True, slots=True)
class Period:
    """A complete digest period: local days `first_day` .. `last_day` (inclusive) in `timezone`."""

    kind: PeriodKind
    timezone: str
    first_day: date
    end_day: date

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The first instant of the period, UTC-aware."""
        return local_midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        """The first instant after the period, UTC-aware (exclusive)."""
        return local_midnight(self.end_day, self.timezone)

    @property
    def label(self) -> str:
        """'3\u20139 March 2025', '28 April \u2013 4 May 2025' or 'March 2025'."""
        if self.kind == "month":
            return f"{_month_name(self.first_day)} {self.first_day.year}"
        return day_range_label(self.first_day, self.last_day)

    @property
    def short_label(self) -> str:
        """'3 Mar' for a week, 'Mar 2025' for a month."""
        if self.kind == "month":
            return f"{_month_name(self.first_day)[:3]} {self.first_day.year}"
        return f"{self.first_day.day} {_month_name(self.first_day)[:3]}"


def local_midnight(day: date, timezone: str) -> datetime:
    """The UTC instant at which `day` begins in `timezone`."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def period_starting(kind: PeriodKind, first_day: date, timezone: str) -> Period:
    return Period(kind, timezone, first_day, _next_boundary(kind, first_day))


def last_complete_period(kind: PeriodKind, end: datetime, timezone: str) -> Period:
    """The last period that is over at `end` (an aware instant)."""
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    local_day = end.astimezone(ZoneInfo(timezone)).date()
    boundary = _boundary_on_or_before(kind, local_day)
    return period_starting(kind, _previous_boundary(kind, boundary), timezone)


def previous_period(period: Period) -> Period:
    return period_starting(period.kind, _previous_boundary(period.kind, period.first_day), period.timezone)


def trailing_periods(period: Period, count: int) -> list[Period]:
    """`count` consecutive periods ending with `period`, oldest first."""
    if count < 1:
        raise ValueError("count must be at least 1")
    periods = [period]
    while len(periods) < count:
        periods.append(previous_period(periods[-1]))
    return periods[::-1]


def day_range_label(first: date, last: date) -> str:
    """A compact label for an inclusive range of days."""
    if first.year != last.year:
        return f"{_day_month(first)} {first.year} {EN_DASH} {_day_month(last)} {last.year}"
    if first.month != last.month:
        return f"{_day_month(first)} {EN_DASH} {_day_month(last)} {last.year}"
    return f"{first.day}{EN_DASH}{last.day} {_month_name(last)} {last.year}"


def _boundary_on_or_before(kind: PeriodKind, day: date) -> date:
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _previous_boundary(kind: PeriodKind, boundary: date) -> date:
    return _boundary_on_or_before(kind, boundary - timedelta(days=1))


def _next_boundary(kind: PeriodKind, boundary: date) -> date:
    if kind == "week":
        return boundary + timedelta(days=7)
    return date(boundary.year + boundary.month // 12, boundary.month % 12 + 1, 1)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _month_name(day: date) -> str:
    return _MONTHS[day.month - 1]


def _day_month(day: date) -> str:
    return f"{day.day} {_month_name(day)}"
