from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from tracker.periods import (
    EN_DASH,
    Period,
    day_range_label,
    iso_utc,
    last_complete_period,
    local_day_start,
    local_time,
    month_label,
    period_starts_between,
    previous_period,
    trailing_periods,
    utc_day_start,
    week_label,
)


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


# --- weeks --------------------------------------------------------------------------------------


def test_a_week_runs_monday_to_monday() -> None:
    period = last_complete_period("week", utc(2025, 3, 12, 15), "UTC")

    assert (period.start, period.end) == (utc(2025, 3, 3), utc(2025, 3, 10))
    assert (period.first_day, period.last_day) == (date(2025, 3, 3), date(2025, 3, 9))


def test_the_week_ending_exactly_at_end_is_complete() -> None:
    period = last_complete_period("week", utc(2025, 3, 10), "UTC")

    assert period.end == utc(2025, 3, 10)


def test_one_microsecond_before_monday_the_week_is_not_over() -> None:
    period = last_complete_period("week", utc(2025, 3, 10) - timedelta(microseconds=1), "UTC")

    assert period.end == utc(2025, 3, 3)


def test_monday_in_tokyo_is_still_sunday_in_utc() -> None:
    end = utc(2025, 3, 9, 16)  # Monday 10 March 01:00 in Tokyo

    assert last_complete_period("week", end, "UTC").end == utc(2025, 3, 3)
    tokyo = last_complete_period("week", end, "Asia/Tokyo")
    assert (tokyo.start, tokyo.end) == (utc(2025, 3, 2, 15), utc(2025, 3, 9, 15))


def test_week_edges_are_local_midnights_in_utc() -> None:
    period = last_complete_period("week", utc(2025, 1, 15), "America/New_York")

    assert (period.start, period.end) == (utc(2025, 1, 6, 5), utc(2025, 1, 13, 5))


def test_week_across_spring_forward_lasts_167_hours() -> None:
    period = last_complete_period("week", utc(2025, 4, 1), "Europe/Berlin")

    assert period.label == f"24{EN_DASH}30 March 2025"
    assert period.start == utc(2025, 3, 23, 23)  # 00:00 CET
    assert period.end == utc(2025, 3, 30, 22)  # 00:00 CEST
    assert period.end - period.start == timedelta(hours=167)


def test_week_across_fall_back_lasts_169_hours() -> None:
    period = last_complete_period("week", utc(2025, 11, 4), "America/New_York")

    assert (period.start, period.end) == (utc(2025, 10, 27, 4), utc(2025, 11, 3, 5))
    assert period.end - period.start == timedelta(hours=169)


def test_a_midnight_lost_to_dst_starts_the_day_at_the_change() -> None:
    # Santiago skipped 2024-09-08 00:00 -04 straight to 01:00 -03, at 04:00 UTC.
    assert local_day_start(date(2024, 9, 8), "America/Santiago") == utc(2024, 9, 8, 4)
    assert local_day_start(date(2024, 9, 9), ZoneInfo("America/Santiago")) == utc(2024, 9, 9, 3)


def test_previous_and_trailing_weeks_are_consecutive() -> None:
    period = last_complete_period("week", utc(2025, 3, 10), "Europe/Berlin")
    weeks = trailing_periods(period, 8)

    assert len(weeks) == 8
    assert weeks[-1] == period
    assert weeks[-2] == previous_period(period)
    assert weeks[0].first_day == date(2025, 1, 13)
    assert all(earlier.end == later.start for earlier, later in pairwise(weeks))


def test_trailing_needs_at_least_one_period() -> None:
    period = last_complete_period("week", utc(2025, 3, 10), "UTC")

    with pytest.raises(ValueError, match="at least 1"):
        trailing_periods(period, 0)


def test_end_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        last_complete_period("week", datetime(2025, 3, 10), "UTC")


# --- months -------------------------------------------------------------------------------------


def test_a_month_is_a_calendar_month() -> None:
    period = last_complete_period("month", utc(2025, 3, 12), "UTC")

    assert (period.start, period.end) == (utc(2025, 2, 1), utc(2025, 3, 1))
    assert period.label == "February 2025"
    assert period.short_label == "Feb 2025"


def test_month_edges_follow_dst_in_the_zone() -> None:
    period = last_complete_period("month", utc(2025, 4, 2), "Europe/Berlin")

    assert (period.start, period.end) == (utc(2025, 2, 28, 23), utc(2025, 3, 31, 22))


def test_months_cross_the_year() -> None:
    period = last_complete_period("month", utc(2025, 1, 5), "UTC")
    trend = trailing_periods(period, 3)

    assert [month.label for month in trend] == ["October 2024", "November 2024", "December 2024"]
    assert trend[-1].end == utc(2025, 1, 1)


# --- labels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        (date(2025, 3, 3), date(2025, 3, 9), f"3{EN_DASH}9 March 2025"),
        (date(2025, 4, 28), date(2025, 5, 4), f"28 April {EN_DASH} 4 May 2025"),
        (date(2025, 12, 29), date(2026, 1, 4), f"29 December 2025 {EN_DASH} 4 January 2026"),
    ],
)
def test_day_range_labels(first: date, last: date, label: str) -> None:
    assert day_range_label(first, last) == label


def test_week_short_label_is_its_monday() -> None:
    assert Period("week", "UTC", date(2025, 3, 3), date(2025, 3, 10)).short_label == "3 Mar"


# --- instants and their text --------------------------------------------------------------------

PLUS3 = timezone(timedelta(hours=3))
MINUS8 = timezone(timedelta(hours=-8))


def test_a_utc_day_starts_at_midnight_utc() -> None:
    assert utc_day_start(date(2026, 11, 23)) == utc(2026, 11, 23)
    assert local_day_start(date(2026, 11, 23), UTC) == utc_day_start(date(2026, 11, 23))


def test_iso_utc_is_utc_to_the_second_with_a_z() -> None:
    assert iso_utc(datetime(2026, 10, 12, 14, 30, 5, 123456, tzinfo=PLUS3)) == "2026-10-12T11:30:05Z"


def test_local_time_names_the_day_and_the_zone() -> None:
    moment = datetime(2025, 3, 10, 7, 55, tzinfo=UTC)

    assert local_time(moment, "Europe/Berlin") == "Mon 10 Mar 2025, 08:55 CET"


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), "2026-11-23"),  # a Monday itself
        (datetime(2026, 11, 29, 23, 59, tzinfo=UTC), "2026-11-23"),  # the Sunday after
        (datetime(2026, 11, 30, 1, 0, tzinfo=PLUS3), "2026-11-23"),  # Monday in +03:00, Sunday in UTC
        (datetime(2026, 11, 29, 20, 0, tzinfo=MINUS8), "2026-11-30"),  # Sunday in -08:00, Monday in UTC
        (datetime(2027, 1, 2, 12, 0, tzinfo=UTC), "2026-12-28"),  # across the new year
    ],
)
def test_week_label_is_the_monday_in_utc(moment: datetime, monday: str) -> None:
    assert week_label(moment) == monday


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        (datetime(2026, 11, 30, 23, 59, tzinfo=UTC), "2026-11"),
        (datetime(2026, 12, 1, 1, 0, tzinfo=PLUS3), "2026-11"),
        (datetime(2026, 12, 31, 20, 0, tzinfo=MINUS8), "2027-01"),
    ],
)
def test_month_label_is_the_utc_month(moment: datetime, month: str) -> None:
    assert month_label(moment) == month


def test_weeks_and_months_can_be_taken_in_another_time_zone() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # already Monday in Tokyo
    tokyo = ZoneInfo("Asia/Tokyo")
    assert week_label(sunday_night_utc) == "2026-11-23"
    assert week_label(sunday_night_utc, tokyo) == "2026-11-30"
    assert month_label(datetime(2026, 11, 30, 20, tzinfo=UTC), tokyo) == "2026-12"


def test_period_starts_between_are_local_mondays_across_a_dst_change() -> None:
    starts = period_starts_between("week", utc(2026, 3, 18, 12), utc(2026, 4, 8), ZoneInfo("Europe/Berlin"))

    assert starts == [utc(2026, 3, 22, 23), utc(2026, 3, 29, 22), utc(2026, 4, 5, 22)]


def test_period_starts_between_exclude_both_ends() -> None:
    assert period_starts_between("month", utc(2026, 1, 1), utc(2026, 3, 1), UTC) == [utc(2026, 2, 1)]
