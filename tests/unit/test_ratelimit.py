"""When to wait before asking GitHub again, from response headers alone."""

from __future__ import annotations

import pytest

from tracker.github.ratelimit import (
    DEFAULT_MAX_WAIT,
    Budget,
    Pause,
    budget_from,
    describe_duration,
    describe_reset,
    exceeds_cap,
    pause_after_response,
    pause_before_request,
    resource_of,
    retry_after_seconds,
)

NOW = 1_764_331_200.0  # 2025-11-28T12:00:00Z
SPENT = "the core rate limit is used up"
RETRY_LATER = "GitHub asked to retry later (secondary rate limit)"
SECONDARY = "GitHub's secondary rate limit"
PRIMARY_MESSAGE = "API rate limit exceeded for user ID 583231."
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:00000:0000000."
)


def rate_headers(remaining: int, reset: float, resource: str = "core") -> dict[str, str]:
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(int(reset)),
        "x-ratelimit-used": str(5000 - remaining),
        "x-ratelimit-resource": resource,
    }


# --- before a request ----------------------------------------------------------------------


def test_spent_budget_waits_until_one_second_after_reset() -> None:
    assert pause_before_request(Budget(0, NOW + 120), "core", NOW) == Pause(121.0, SPENT)


def test_a_reset_a_day_away_is_a_pause_beyond_the_cap_not_a_shorter_pause() -> None:
    """It used to be cut to an hour and waited again and again; now the caller stops on it."""
    pause = pause_before_request(Budget(0, NOW + 24 * 3600), "search", NOW)

    assert pause == Pause(24 * 3600 + 1.0, "the search rate limit is used up")
    assert exceeds_cap(pause, DEFAULT_MAX_WAIT)


@pytest.mark.parametrize(
    "budget",
    [None, Budget(1, NOW + 120), Budget(0, NOW), Budget(0, NOW - 5)],
    ids=["unknown", "one-left", "resets-now", "already-reset"],
)
def test_no_wait_before_a_request_when_budget_is_left_or_reset(budget: Budget | None) -> None:
    assert pause_before_request(budget, "core", NOW) is None


# --- after a response ----------------------------------------------------------------------


def test_403_with_exhausted_budget_waits_until_reset() -> None:
    pause = pause_after_response(403, rate_headers(0, NOW + 59), PRIMARY_MESSAGE, "core", NOW, 0)

    assert pause == Pause(60.0, SPENT)


def test_exhausted_budget_wait_after_a_response_is_not_cut_short() -> None:
    pause = pause_after_response(403, rate_headers(0, NOW + 10_000), PRIMARY_MESSAGE, "core", NOW, 0)

    assert pause == Pause(10_001.0, SPENT)
    assert exceeds_cap(pause, DEFAULT_MAX_WAIT)


def test_reset_in_the_past_still_waits_one_second() -> None:
    pause = pause_after_response(429, rate_headers(0, NOW - 30), PRIMARY_MESSAGE, "core", NOW, 0)

    assert pause == Pause(1.0, SPENT)


@pytest.mark.parametrize("status", [403, 429])
def test_retry_after_is_honoured(status: int) -> None:
    headers = {**rate_headers(4000, NOW + 3000), "retry-after": "30"}

    assert pause_after_response(status, headers, SECONDARY_MESSAGE, "core", NOW, 0) == Pause(
        30.0, RETRY_LATER
    )


def test_retry_after_wins_over_an_exhausted_budget() -> None:
    headers = {**rate_headers(0, NOW + 3000), "retry-after": "45"}

    assert pause_after_response(429, headers, PRIMARY_MESSAGE, "core", NOW, 0) == Pause(45.0, RETRY_LATER)


def test_retry_after_zero_still_waits_a_second() -> None:
    assert pause_after_response(429, {"retry-after": "0"}, "", "core", NOW, 0) == Pause(1.0, RETRY_LATER)


def test_unparsable_retry_after_falls_back_to_the_budget() -> None:
    headers = {**rate_headers(0, NOW + 9), "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}

    assert pause_after_response(403, headers, PRIMARY_MESSAGE, "core", NOW, 0) == Pause(10.0, SPENT)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-5", "soon", "", "1e999"])
def test_a_retry_after_that_is_not_a_finite_number_of_seconds_is_ignored(value: str) -> None:
    """`Retry-After: inf` used to crash; now GitHub's rule for no Retry-After applies."""
    headers = {**rate_headers(4000, NOW + 3000), "retry-after": value}

    assert retry_after_seconds(value) is None
    assert pause_after_response(403, headers, SECONDARY_MESSAGE, "core", NOW, 0) == Pause(60.0, SECONDARY)


def test_a_retry_after_ten_years_away_is_a_pause_beyond_the_cap() -> None:
    ten_years = str(10 * 365 * 86_400)

    pause = pause_after_response(429, {"retry-after": ten_years}, "", "core", NOW, 0)

    assert pause == Pause(float(ten_years), RETRY_LATER)
    assert exceeds_cap(pause, DEFAULT_MAX_WAIT)
    assert describe_duration(pause.seconds) == "3,650 days"


@pytest.mark.parametrize(
    ("seconds", "max_wait", "exceeds"),
    [
        (3_601.0, 3_600.0, False),  # a reset exactly an hour away, and its one second of margin
        (3_601.5, 3_600.0, True),
        (600.0, 300.0, True),  # the longest secondary-limit backoff, under a 5-minute cap
        (1.0, 60.0, False),
    ],
)
def test_exceeds_cap(seconds: float, max_wait: float, exceeds: bool) -> None:
    assert exceeds_cap(Pause(seconds, SPENT), max_wait) is exceeds


@pytest.mark.parametrize(
    ("seconds", "described"),
    [
        (45, "0m 45s"),
        (3_599, "59m 59s"),
        (3_601, "1h 00m"),
        (50 * 3_600, "2 days"),
        (1e308, "more than a century"),
    ],
)
def test_describe_duration(seconds: float, described: str) -> None:
    assert describe_duration(seconds) == described


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [(0, 60.0), (1, 120.0), (2, 240.0), (3, 480.0), (4, 600.0), (10, 600.0)],
)
def test_secondary_limit_without_retry_after_backs_off_exponentially(attempt: int, seconds: float) -> None:
    headers = rate_headers(4321, NOW + 3000)

    pause = pause_after_response(403, headers, SECONDARY_MESSAGE, "core", NOW, attempt)

    assert pause == Pause(seconds, SECONDARY)


def test_abuse_detection_message_is_a_secondary_limit() -> None:
    message = (
        "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."
    )

    assert pause_after_response(403, {}, message, "core", NOW, 0) == Pause(60.0, SECONDARY)


@pytest.mark.parametrize(
    "message",
    [
        "Resource protected by organization SAML enforcement. You must grant your Personal Access token "
        "access to this organization.",
        "Resource not accessible by personal access token",
        "Must have admin rights to Repository.",
    ],
)
def test_a_plain_403_is_not_a_pause(message: str) -> None:
    assert pause_after_response(403, rate_headers(4999, NOW + 3000), message, "core", NOW, 0) is None


@pytest.mark.parametrize("status", [200, 304, 401, 404, 422, 500, 502])
def test_other_statuses_are_never_a_pause(status: int) -> None:
    headers = {**rate_headers(0, NOW + 60), "retry-after": "30"}

    assert pause_after_response(status, headers, SECONDARY_MESSAGE, "core", NOW, 0) is None


# --- reading headers -----------------------------------------------------------------------


def test_budget_from_reads_remaining_and_reset() -> None:
    assert budget_from(rate_headers(17, NOW + 60)) == Budget(17, NOW + 60)


def test_budget_from_accepts_float_strings() -> None:
    assert budget_from({"x-ratelimit-remaining": "4999.0", "x-ratelimit-reset": "1764331260.0"}) == Budget(
        4999, 1764331260.0
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-ratelimit-remaining": "10"},
        {"x-ratelimit-reset": "1764331260"},
        {"x-ratelimit-remaining": "n/a", "x-ratelimit-reset": "1"},
        {"x-ratelimit-remaining": "inf", "x-ratelimit-reset": "1"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "inf"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "nan"},
    ],
)
def test_budget_from_without_usable_headers_is_none(headers: dict[str, str]) -> None:
    assert budget_from(headers) is None


@pytest.mark.parametrize(
    ("headers", "path", "expected"),
    [
        ({"x-ratelimit-resource": "search"}, "/repos/o/n", "search"),
        ({"x-ratelimit-resource": "core"}, "/search/issues", "core"),
        ({}, "/search/issues", "search"),
        ({}, "https://api.github.com/search/issues?q=author%3Afay&page=2", "search"),
        ({}, "https://ghe.example.com/api/v3/search/issues", "search"),
        ({}, "/repos/huggingface/transformers/issues", "core"),
        ({}, "/users/fay/events/public", "core"),
    ],
)
def test_resource_of(headers: dict[str, str], path: str, expected: str) -> None:
    assert resource_of(headers, path) == expected


def test_describe_reset_is_utc_clock_time() -> None:
    assert describe_reset(NOW + 3661) == "13:01:01 UTC"
