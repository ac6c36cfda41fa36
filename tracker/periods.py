"""Time in one place: UTC and local day starts, ISO timestamps, weeks and months in a time zone.

Pure. Digest periods are weeks (Monday 00:00 to Monday 00:00) and calendar months. A period is
a local calendar span turned into UTC-aware `[start, end)` instants at the edges, so that a
week across a DST change lasts 167 or 169 hours, as it should. A local midnight that does not
exist (a DST gap at 00:00) resolves to the first instant of that day, which is what zoneinfo's
`fold=0` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
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
        return local_day_start(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        """The first instant after the period, UTC-aware (exclusive)."""
        return local_day_start(self.end_day, self.timezone)

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


def utc_day_start(day: date) -> datetime:
    """The instant at which `day` begins in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def local_day_start(day: date, zone: tzinfo | str) -> datetime:
    """The UTC instant at which `day` begins in `zone` (a tzinfo or an IANA name)."""
    local = ZoneInfo(zone) if isinstance(zone, str) else zone
    return datetime.combine(day, time.min, tzinfo=local).astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """'2025-03-10T08:55:00Z': an aware instant in UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_time(moment: datetime, timezone: str) -> str:
    """'Mon 10 Mar 2025, 08:55 CET'."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


def week_label(moment: datetime, zone: tzinfo = UTC) -> str:
    """'2026-11-23': the Monday (in `zone`, UTC by default) that starts the ISO week of the moment."""
    return period_start_day("week", moment.astimezone(zone).date()).isoformat()


def month_label(moment: datetime, zone: tzinfo = UTC) -> str:
    """'2026-11': the month of the moment in `zone`, UTC by default."""
    return moment.astimezone(zone).strftime("%Y-%m")


def period_start_day(kind: PeriodKind, day: date) -> date:
    """The first day of the week (Monday) or month that `day` is in."""
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period_day(kind: PeriodKind, day: date) -> date:
    """The first day of the week or month after the one `day` is in."""
    start = period_start_day(kind, day)
    if kind == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_starts_between(kind: PeriodKind, start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """The instants strictly after `start` and before `end` at which a week or month begins in `zone`."""
    starts: list[datetime] = []
    boundary = local_day_start(next_period_day(kind, start.astimezone(zone).date()), zone)
    while boundary < end:
        starts.append(boundary)
        boundary = local_day_start(next_period_day(kind, boundary.astimezone(zone).date()), zone)
    return starts


def period_starting(kind: PeriodKind, first_day: date, timezone: str) -> Period:
    return Period(kind, timezone, first_day, next_period_day(kind, first_day))


def last_complete_period(kind: PeriodKind, end: datetime, timezone: str) -> Period:
    """The last period that is over at `end` (an aware instant)."""
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    local_day = end.astimezone(ZoneInfo(timezone)).date()
    return period_starting(kind, _previous_start(kind, period_start_day(kind, local_day)), timezone)


def previous_period(period: Period) -> Period:
    return period_starting(period.kind, _previous_start(period.kind, period.first_day), period.timezone)


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


def _previous_start(kind: PeriodKind, start: date) -> date:
    return period_start_day(kind, start - timedelta(days=1))


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
