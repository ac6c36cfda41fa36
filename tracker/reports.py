"""Grouping and shaping of counted contributions for query and stats output (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Literal

from tracker.domain import CountedContribution, CountedGroup, Kind

GroupBy = Literal["repo", "login", "team", "kind", "week", "month", "license_class"]
GROUP_BY_CHOICES: tuple[GroupBy, ...] = ("repo", "login", "team", "kind", "week", "month", "license_class")
NO_TEAM = "(no team)"


@dataclass(frozen=True, slots=True)
class StatsRow:
    group: str
    counts: dict[Kind, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def week_start(moment: datetime, zone: tzinfo = UTC) -> str:
    """The Monday (in `zone`, UTC by default) that starts the ISO week of the moment."""
    day = moment.astimezone(zone).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def month_of(moment: datetime, zone: tzinfo = UTC) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


UNKNOWN_CLASS = "unknown"
_Attributed = CountedContribution | CountedGroup


def _key_for(
    by: GroupBy, zone: tzinfo, license_classes: Mapping[str, str]
) -> Callable[[CountedContribution], str]:
    if by == "week":
        return lambda c: week_start(c.occurred_at, zone)
    if by == "month":
        return lambda c: month_of(c.occurred_at, zone)
    return _attribute_key(by, license_classes)


def _attribute_key(by: GroupBy, license_classes: Mapping[str, str]) -> Callable[[_Attributed], str]:
    """The key of a grouping that is not by time: the same on rows and on counted groups."""
    keys: dict[GroupBy, Callable[[_Attributed], str]] = {
        "repo": lambda c: c.repo,
        "login": lambda c: c.person,
        "team": lambda c: c.team or NO_TEAM,
        "kind": lambda c: c.kind.value,
        "license_class": lambda c: license_classes.get(c.repo.lower(), UNKNOWN_CLASS),
    }
    return keys[by]


def group_counts(
    contributions: Iterable[CountedContribution],
    by: GroupBy,
    *,
    zone: tzinfo = UTC,
    license_classes: Mapping[str, str] | None = None,
) -> list[StatsRow]:
    """Counts per group and kind; time groups in time order, the others largest first.

    Weeks and months are taken in `zone`; `license_classes` maps lower-cased repo names to
    their license class (needed only for `by="license_class"`).
    """
    key = _key_for(by, zone, license_classes or {})
    return _stats_rows(((key(row), row.kind, 1) for row in contributions), by)


def group_totals(
    groups: Iterable[CountedGroup],
    by: GroupBy,
    *,
    bucket_labels: Sequence[str] = (),
    license_classes: Mapping[str, str] | None = None,
) -> list[StatsRow]:
    """What `group_counts` gives, from counts made in the database (`counting.counted_groups`).

    For `week` and `month`, the groups' buckets are the periods and `bucket_labels` name them.
    """
    key: Callable[[CountedGroup], str] = (
        (lambda g: bucket_labels[g.bucket])
        if by in ("week", "month")
        else _attribute_key(by, license_classes or {})
    )
    return _stats_rows(((key(group), group.kind, group.count) for group in groups), by)


def _stats_rows(counts: Iterable[tuple[str, Kind, int]], by: GroupBy) -> list[StatsRow]:
    groups: dict[str, Counter[Kind]] = defaultdict(Counter)
    display: dict[str, str] = {}
    for name, kind, count in counts:
        folded = name.lower()
        display.setdefault(folded, name)
        groups[folded][kind] += count
    rows = [
        StatsRow(display[folded], {kind: counter[kind] for kind in Kind})
        for folded, counter in groups.items()
    ]
    if by in ("week", "month"):
        return sorted(rows, key=lambda row: row.group)
    return sorted(rows, key=lambda row: (-row.total, row.group.lower()))


def period_edges(start: datetime, end: datetime, by: GroupBy, zone: tzinfo = UTC) -> list[datetime]:
    """Bucket edges covering [start, end): `start`, each week (Monday) or month start in `zone`, `end`."""
    edges = [start]
    boundary = _next_boundary(start, by, zone)
    while boundary < end:
        edges.append(boundary)
        boundary = _next_boundary(boundary, by, zone)
    edges.append(end)
    return edges


def _next_boundary(moment: datetime, by: GroupBy, zone: tzinfo) -> datetime:
    local = moment.astimezone(zone)
    day = local.date()
    if by == "week":
        following = day + timedelta(days=7 - day.weekday())
    else:
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(following, time.min, tzinfo=zone).astimezone(UTC)


def bucket_label(start: datetime, by: GroupBy, zone: tzinfo = UTC) -> str:
    return week_start(start, zone) if by == "week" else month_of(start, zone)


def contribution_record(contribution: CountedContribution) -> dict[str, object]:
    """The documented JSON/CSV shape of one contribution."""
    return {
        "kind": contribution.kind.value,
        "login": contribution.person,
        "team": contribution.team,
        "repo": contribution.repo,
        "number": contribution.number,
        "title": contribution.title,
        "url": contribution.url,
        "occurred_at": utc_iso(contribution.occurred_at),
    }


def stats_record(row: StatsRow, by: GroupBy) -> dict[str, object]:
    return {by: row.group, **{kind.value: row.counts[kind] for kind in Kind}, "total": row.total}
