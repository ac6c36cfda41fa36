"""Rate-limit budgets per token and request counts per endpoint template.

Budgets run on the wall clock (clients sleep until `x-ratelimit-reset`), unlike
the world's data, which runs on the emulator's own `now`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CORE = "core"
SEARCH = "search"
GRAPHQL = "graphql"
UNCOUNTED = "none"

OUTCOMES = ("ok", "not_modified", "rate_limited", "secondary_limited", "server_error", "client_error")


@dataclass(slots=True)
class Window:
    limit: int
    length: float
    used: int = 0
    reset_at: float = 0.0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self, resource: str) -> list[tuple[str, str]]:
        return [
            ("x-ratelimit-limit", str(self.limit)),
            ("x-ratelimit-remaining", str(self.remaining)),
            ("x-ratelimit-reset", str(int(self.reset_at))),
            ("x-ratelimit-used", str(self.used)),
            ("x-ratelimit-resource", resource),
        ]

    def to_json(self) -> dict[str, int]:
        return {
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "reset": int(self.reset_at),
        }


@dataclass(frozen=True, slots=True)
class BudgetSettings:
    core_limit: int = 5_000
    search_limit: int = 30
    core_window: float = 3_600.0
    search_window: float = 60.0
    graphql_limit: int = 5_000


class RateBudgets:
    """One budget per token and resource, each a fixed window that starts at its first use."""

    def __init__(self, settings: BudgetSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._windows: dict[tuple[str, str], Window] = {}
        self._user_ids: dict[str, int] = {}

    def user_id(self, token: str) -> int:
        return self._user_ids.setdefault(token, len(self._user_ids) + 1)

    def window(self, token: str, resource: str) -> Window:
        self.user_id(token)
        key = (token, resource)
        now = self.clock()
        window = self._windows.get(key)
        if window is None:
            window = self._new_window(resource)
            self._windows[key] = window
        if window.reset_at <= now:
            window.used = 0
            window.reset_at = now + window.length
        return window

    def _new_window(self, resource: str) -> Window:
        if resource == SEARCH:
            return Window(self.settings.search_limit, self.settings.search_window)
        if resource == GRAPHQL:
            return Window(self.settings.graphql_limit, self.settings.core_window)
        return Window(self.settings.core_limit, self.settings.core_window)

    def reset(self) -> None:
        self._windows.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        return [
            {"user_id": self._user_ids[token], "resource": resource, **window.to_json()}
            for (token, resource), window in sorted(self._windows.items())
        ]


@dataclass(slots=True)
class EndpointCounts:
    requests: int = 0
    charged: int = 0
    points: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "charged": self.charged,
            "points": self.points,
            **{outcome: self.outcomes.get(outcome, 0) for outcome in OUTCOMES},
            "by_status": {str(status): count for status, count in sorted(self.statuses.items())},
        }


def outcome_of(status: int, *, secondary: bool = False) -> str:
    if status == 304:
        return "not_modified"
    if secondary:
        return "secondary_limited"
    if status < 400:
        return "ok"
    if status >= 500:
        return "server_error"
    return "client_error"


class RequestStats:
    """Counts by endpoint template, e.g. "GET /repos/{owner}/{repo}/issues/{number}/comments"."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self.started_at = self.clock()
        self._endpoints: dict[str, EndpointCounts] = {}

    def record(self, template: str, status: int, outcome: str, *, charged: bool, points: int = 0) -> None:
        """`points`: what a GraphQL query cost (its requests are not `charged` against core)."""
        counts = self._endpoints.setdefault(template, EndpointCounts())
        counts.requests += 1
        counts.charged += int(charged)
        counts.points += points
        counts.outcomes[outcome] += 1
        counts.statuses[status] += 1

    def snapshot(self) -> dict[str, Any]:
        total = EndpointCounts()
        for counts in self._endpoints.values():
            total.requests += counts.requests
            total.charged += counts.charged
            total.points += counts.points
            total.outcomes.update(counts.outcomes)
            total.statuses.update(counts.statuses)
        return {
            "since": self.started_at,
            "seconds": round(self.clock() - self.started_at, 3),
            "total": total.to_json(),
            "endpoints": {name: counts.to_json() for name, counts in sorted(self._endpoints.items())},
        }
