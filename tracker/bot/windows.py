"""The window of days a question is about, in `[digest] timezone`. Pure; `now` is passed in.

A window is a run of whole local days, `[first_day, end_day)`, like `tracker stats --since
--until --timezone`, which is how every answer says where its numbers come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from tracker.bot.commands import Question
from tracker.periods import (
    Period,
    day_range_label,
    last_complete_period,
    local_day_start,
    period_start_day,
    previous_period,
)

WindowKind = Literal["week", "month", "days"]
RECENT_WEEKS = 4


class WindowProblem(ValueError):
    """The window asked for holds no day (it starts after today); the message says so."""


@dataclass(frozen=True, slots=True)
class Window:
    """Local days `first_day` .. `end_day` (exclusive) in `timezone`; `name` says how it was chosen."""

    kind: WindowKind
    timezone: str
    first_day: date
    end_day: date
    name: str | None = None

    @property
    def start(self) -> datetime:
        return local_day_start(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        return local_day_start(self.end_day, self.timezone)

    @property
    def days(self) -> str:
        """'3\u20139 March 2025': the days, whatever chose them."""
        return day_range_label(self.first_day, self.end_day - timedelta(days=1))

    @property
    def label(self) -> str:
        """'the week 3\u20139 March 2025', 'March 2025', 'the last 4 weeks (...)' or a span of days."""
        if self.kind == "month":
            return self._period().label
        if self.kind == "week":
            return f"the week {self.days}"
        return f"{self.name} ({self.days})" if self.name else self.days

    def previous(self) -> Window:
        """The window just before, to compare with: the previous week or month, or as many days."""
        if self.kind != "days":
            before = previous_period(self._period())
            return Window(self.kind, self.timezone, before.first_day, before.end_day)
        length = self.end_day - self.first_day
        return Window("days", self.timezone, self.first_day - length, self.first_day)

    def stats_options(self) -> str:
        """The `tracker stats` options that cover exactly this window."""
        options = f"--since {self.first_day.isoformat()} --until {self.end_day.isoformat()}"
        return options if self.timezone == "UTC" else f"{options} --timezone {self.timezone}"

    def _period(self) -> Period:
        kind: Literal["week", "month"] = "month" if self.kind == "month" else "week"
        return Period(kind, self.timezone, self.first_day, self.end_day)


def window_for(question: Question, now: datetime, timezone: str) -> Window:
    """The days of `since`/`until` when given, else the question's own default window."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    if question.since is not None:
        end_day = question.until or today + timedelta(days=1)
        if question.since >= end_day:
            raise WindowProblem(f"There is nothing to count yet from {question.since.isoformat()} on.")
        return Window("days", timezone, question.since, end_day)
    if question.topic in ("week", "month"):
        return _last_complete(question.topic, now, timezone)
    if question.topic == "top":
        first = period_start_day("month", today)
        return Window("days", timezone, first, today + timedelta(days=1), name="this month so far")
    return recent_weeks(now, timezone)


def recent_weeks(now: datetime, timezone: str) -> Window:
    """The last RECENT_WEEKS complete weeks: the bot's default window, and `tracker stats`'s."""
    last_week = _last_complete("week", now, timezone)
    first = last_week.first_day - timedelta(weeks=RECENT_WEEKS - 1)
    return Window("days", timezone, first, last_week.end_day, name=f"the last {RECENT_WEEKS} weeks")


def _last_complete(kind: Literal["week", "month"], now: datetime, timezone: str) -> Window:
    period = last_complete_period(kind, now, timezone)
    return Window(kind, timezone, period.first_day, period.end_day)
