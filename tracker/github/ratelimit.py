"""When to wait before asking GitHub again, decided from response headers alone (pure).

Every wait has a cap: GitHub resets a budget within the hour, so a reset or a `Retry-After`
further away than the cap is not a wait but an answer to stop on (`exceeds_cap`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

SECONDARY_LIMIT_PAUSE = 60.0
MAX_SECONDARY_LIMIT_PAUSE = 600.0
DEFAULT_MAX_WAIT = 3_600.0
# Waits for a reset last one second past it, so that the first request after it is not too early.
RESET_MARGIN = 1.0
RATE_LIMIT_STATUSES = frozenset({403, 429})


@dataclass(frozen=True, slots=True)
class Budget:
    """What GitHub last said about one rate-limit resource (core, search, ...)."""

    remaining: int
    reset_at: float


@dataclass(frozen=True, slots=True)
class Pause:
    seconds: float
    reason: str


def resource_of(headers: Mapping[str, str], path: str) -> str:
    return headers.get("x-ratelimit-resource") or ("search" if "/search/" in path else "core")


def budget_from(headers: Mapping[str, str]) -> Budget | None:
    """None without both headers, or when either is not a finite number."""
    try:
        remaining = float(headers["x-ratelimit-remaining"])
        reset_at = float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return None
    if not (math.isfinite(remaining) and math.isfinite(reset_at)):
        return None
    return Budget(int(remaining), reset_at)


def retry_after_seconds(value: str | None) -> float | None:
    """The seconds a `Retry-After` asks for; None when it is not a finite, non-negative number
    (an HTTP-date, `inf`, `-5`, garbage): such a header is ignored, as if it were not sent."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def pause_before_request(budget: Budget | None, resource: str, now: float) -> Pause | None:
    """Wait for the reset when the budget is known to be spent, instead of earning a 403."""
    if budget is None or budget.remaining > 0 or budget.reset_at <= now:
        return None
    return Pause(_until_reset(budget.reset_at, now), f"the {resource} rate limit is used up")


def pause_after_response(
    status: int, headers: Mapping[str, str], message: str, resource: str, now: float, attempt: int
) -> Pause | None:
    """A 403/429 that is a rate limit becomes a pause; anything else is not ours to retry.

    GitHub's order: a usable `Retry-After`, else a spent budget's reset, else (a secondary
    limit without either) a minute, doubling with each attempt.
    """
    if status not in RATE_LIMIT_STATUSES:
        return None
    retry_after = retry_after_seconds(headers.get("retry-after"))
    if retry_after is not None:
        return Pause(max(retry_after, 1.0), "GitHub asked to retry later (secondary rate limit)")
    budget = budget_from(headers)
    if budget is not None and budget.remaining == 0:
        return Pause(_until_reset(budget.reset_at, now), f"the {resource} rate limit is used up")
    if "secondary rate limit" in message.lower() or "abuse" in message.lower():
        pause = min(SECONDARY_LIMIT_PAUSE * 2**attempt, MAX_SECONDARY_LIMIT_PAUSE)
        return Pause(pause, "GitHub's secondary rate limit")
    return None


def exceeds_cap(pause: Pause, max_wait: float) -> bool:
    """Whether the pause is longer than anyone should wait (a reset exactly at the cap is not)."""
    return pause.seconds > max_wait + RESET_MARGIN


def _until_reset(reset_at: float, now: float) -> float:
    return max(reset_at - now, 0.0) + RESET_MARGIN


def describe_reset(reset_at: float) -> str:
    return datetime.fromtimestamp(reset_at, tz=UTC).strftime("%H:%M:%S UTC")


def describe_duration(seconds: float) -> str:
    """`4m 05s`, `3h 20m`, `3,650 days`: a wait in the unit that reads best."""
    if seconds >= 100 * 365 * 86_400:
        return "more than a century"
    if seconds >= 2 * 86_400:
        return f"{seconds / 86_400:,.0f} days"
    if seconds >= 3_600:
        hours, rest = divmod(round(seconds), 3_600)
        return f"{hours}h {rest // 60:02d}m"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"
