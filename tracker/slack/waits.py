"""Every Slack wait ends: Retry-After obeyed only up to a cap, every wait ended by a stop request,
and a request retried only when Slack says it was not processed or it is safe to repeat.

slack-sdk's own retry handlers sleep with `time.sleep` for whatever Retry-After says (ten years
included; `inf` crashes them) and retry a POST after a 5xx or a dropped connection, which can
post twice. These handlers keep slack-sdk's retry loop and replace the policy.
"""

from __future__ import annotations

import json
import math
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from urllib.error import URLError

from slack_sdk.http_retry import RetryHandler, RetryIntervalCalculator
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from tracker.cancel import CancelToken
from tracker.slack.errors import SlackError

DEFAULT_MAX_WAIT_SECONDS = 300.0
REQUEST_DEADLINE_SECONDS = 60.0
RETRIES = 3
UNREADABLE_RETRY_AFTER_SECONDS = 1.0
SERVER_ERRORS = frozenset({500, 502, 503, 504})

Retryable = Callable[[HttpResponse | None, Exception | None], bool]


class WaitTooLong(SlackError):
    """Slack asked for a wait longer than the cap; the request was not processed."""


@dataclass(frozen=True, slots=True)
class Waits:
    """How long Slack may keep us waiting, and the token that ends any wait at once."""

    max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS
    request_deadline_seconds: float = REQUEST_DEADLINE_SECONDS
    cancel: CancelToken = field(default_factory=CancelToken)

    def sleep_as_asked(self, seconds: float) -> None:
        """Wait what Slack asked for, unless that is over the cap (raises Cancelled on a stop)."""
        if seconds > self.max_wait_seconds:
            raise WaitTooLong(
                f"Slack asked to wait {_seconds(seconds)} s, more than the cap of "
                f"{_seconds(self.max_wait_seconds)} s ([slack] max_wait_seconds)",
                error="ratelimited",
                status=429,
            )
        self.cancel.sleep(seconds)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float:
    """Retry-After as seconds: a number or an HTTP date; `inf` stays infinite (and over any cap).

    Missing, negative or unreadable values wait a second, as slack-sdk does for a missing header.
    """
    if value is None:
        return UNREADABLE_RETRY_AFTER_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until(value, now or datetime.now(UTC))
    if math.isnan(seconds) or seconds < 0:
        return UNREADABLE_RETRY_AFTER_SECONDS
    return seconds


def post_retry_handlers(
    waits: Waits, retries: int = RETRIES, interval: RetryIntervalCalculator | None = None
) -> list[RetryHandler]:
    """For a POST that must not repeat: retried only when Slack says it did not process it (429,
    `ratelimited`) or the connection was refused, so nothing was sent."""
    return [
        RateLimitedRetry(waits, retries),
        SpacedRetry(waits, retries, interval, retryable=was_not_sent),
    ]


def read_retry_handlers(
    waits: Waits, retries: int = RETRIES, interval: RetryIntervalCalculator | None = None
) -> list[RetryHandler]:
    """For a request safe to repeat (reading history, auth.test): also 5xx and dropped connections."""
    return [
        RateLimitedRetry(waits, retries),
        SpacedRetry(waits, retries, interval, retryable=may_repeat),
    ]


class RateLimitedRetry(RetryHandler):
    """429 or `ratelimited`: Slack did not process the request; wait its Retry-After, within the cap."""

    def __init__(self, waits: Waits, retries: int) -> None:
        super().__init__(max_retry_count=retries)
        self._waits = waits

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and (
            response.status_code == 429 or _error_code(response) == "ratelimited"
        )

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        self._waits.sleep_as_asked(retry_after_seconds(_header(response, "retry-after")))
        state.next_attempt_requested = True
        state.increment_current_attempt()


class SpacedRetry(RetryHandler):
    """What `retryable` allows, spaced by the interval calculator; the wait ends on a stop request."""

    def __init__(
        self, waits: Waits, retries: int, interval: RetryIntervalCalculator | None, *, retryable: Retryable
    ) -> None:
        super().__init__(
            max_retry_count=retries, interval_calculator=interval or BackoffRetryIntervalCalculator()
        )
        self._waits = waits
        self._retryable = retryable

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return self._retryable(response, error)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        self._waits.cancel.sleep(self.interval_calculator.calculate_sleep_duration(state.current_attempt))
        state.next_attempt_requested = True
        state.increment_current_attempt()


def was_not_sent(response: HttpResponse | None, error: Exception | None) -> bool:
    """The connection was refused or the name did not resolve: not a byte of the request left."""
    return (
        response is None
        and isinstance(error, URLError)
        and isinstance(error.reason, ConnectionRefusedError | socket.gaierror)
    )


def may_repeat(response: HttpResponse | None, error: Exception | None) -> bool:
    if response is not None:
        return response.status_code in SERVER_ERRORS
    if isinstance(error, SlackError):
        return False
    return isinstance(error, URLError | ConnectionError | TimeoutError | HTTPException)


def _error_code(response: HttpResponse) -> str | None:
    body = response.body
    if body is None and response.data:
        try:
            body = json.loads(response.data)
        except ValueError:
            return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _header(response: HttpResponse | None, name: str) -> str | None:
    if response is None:
        return None
    for key, values in response.headers.items():
        if key.lower() == name:
            value = values[0] if isinstance(values, list) else values
            return str(value)
    return None


def _seconds_until(http_date: str, now: datetime) -> float:
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return UNREADABLE_RETRY_AFTER_SECONDS
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - now).total_seconds(), 0.0)


def _seconds(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.0f}" if value >= 10 else f"{value:g}"
