"""When to wait before asking GitHub again, decided from response headers alone (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

SECONDARY_LIMIT_PAUSE = 60.0
MAX_RESET_WAIT = 3_700.0
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
    try:
        return Budget(int(float(headers["x-ratelimit-remaining"])), float(headers["x-ratelimit-reset"]))
    except (KeyError, ValueError):
        return None


def pause_before_request(budget: Budget | None, resource: str, now: float) -> Pause | None:
    """Wait for the reset when the budget is known to be spent, instead of earning a 403."""
    if budget is None or budget.remaining > 0 or budget.reset_at <= now:
        return None
    return Pause(_until_reset(budget.reset_at, now), f"the {resource} rate limit is used up")


def pause_after_response(
    status: int, headers: Mapping[str, str], message: str, resource: str, now: float, attempt: int
) -> Pause | None:
    """A 403/429 that is a rate limit becomes a pause; anything else is not ours to retry."""
    if status not in RATE_LIMIT_STATUSES:
        return None
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        try:
            return Pause(max(float(retry_after), 1.0), "GitHub asked to retry later (secondary rate limit)")
        except ValueError:
            pass
    budget = budget_from(headers)
    if budget is not None and budget.remaining == 0:
        return Pause(_until_reset(budget.reset_at, now), f"the {resource} rate limit is used up")
    if "secondary rate limit" in message.lower() or "abuse" in message.lower():
        return Pause(min(SECONDARY_LIMIT_PAUSE * 2**attempt, 600.0), "GitHub's secondary rate limit")
    return None


def _until_reset(reset_at: float, now: float) -> float:
    return min(max(reset_at - now, 0.0) + 1.0, MAX_RESET_WAIT)


def describe_reset(reset_at: float) -> str:
    return datetime.fromtimestamp(reset_at, tz=UTC).strftime("%H:%M:%S UTC")
