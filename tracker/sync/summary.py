"""What a sync run did, as figures for the log and one line for the operator."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.github.client import RequestStats


@dataclass
class SyncSummary:
    new: int = 0
    updated: int = 0
    requests: int = 0
    not_modified: int = 0
    waited_seconds: float = 0.0
    graphql_queries: int = 0
    graphql_points: int = 0
    people: int = 0
    logins_searched: int = 0
    details_fetched: int = 0
    warnings: list[str] = field(default_factory=list)
    caps_hit: dict[str, int] = field(default_factory=dict)

    def take_request_stats(self, stats: RequestStats) -> None:
        self.requests = stats.requests
        self.not_modified = stats.not_modified
        self.waited_seconds = stats.waited_seconds
        self.graphql_queries = stats.graphql_queries
        self.graphql_points = stats.graphql_points
        self.caps_hit = dict(stats.caps_hit)

    def figures(self) -> dict[str, int | float]:
        return {
            "new": self.new,
            "updated": self.updated,
            "requests": self.requests,
            "not_modified": self.not_modified,
            "rate_limited": self.requests - self.not_modified,
            "graphql_queries": self.graphql_queries,
            "graphql_points": self.graphql_points,
            "waited_seconds": round(self.waited_seconds, 1),
            "people": self.people,
            "caps_hit": sum(self.caps_hit.values()),
            "warnings": len(self.warnings),
        }

    def line(self) -> str:
        return (
            f"sync done: {self.new} new and {self.updated} updated contributions; "
            f"{self.requests} requests ({self.not_modified} answered 304, free; "
            f"{self.requests - self.not_modified} counted against the rate limit); "
            + _graphql(self.graphql_queries, self.graphql_points)
            + f"{_duration(self.waited_seconds)} waited for rate limits; {self.people} people"
            + _caps(self.caps_hit)
            + _warnings(len(self.warnings))
        )


def _graphql(queries: int, points: int) -> str:
    """GraphQL's own budget, in points; nothing when no query was sent."""
    if not queries:
        return ""
    return f"{queries} GraphQL quer{'ies' if queries > 1 else 'y'} ({points} points); "


def _caps(caps_hit: dict[str, int]) -> str:
    """Which caps stopped something (a listing cut at its page cap), or nothing when none did."""
    if not caps_hit:
        return ""
    return "; caps hit: " + ", ".join(f"{cap} ({count})" for cap, count in sorted(caps_hit.items()))


def _warnings(count: int) -> str:
    if not count:
        return ""
    return f"; {count} warning{'s' if count > 1 else ''} (said as they came)"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"
