"""Grouping and shaping of counted contributions and people for query, stats and members output (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from itertools import pairwise
from typing import Literal

from tracker.domain import CountedContribution, CountedGroup, Kind
from tracker.membership import Interval
from tracker.periods import (
    PeriodKind,
    iso_utc,
    local_day_start,
    month_label,
    next_period_day,
    period_start_day,
    period_starts_between,
    week_label,
)
from tracker.rules import Person, UncountedMember

GroupBy = Literal["repo", "login", "team", "kind", "week", "month", "license_class"]
GROUP_BY_CHOICES: tuple[GroupBy, ...] = ("repo", "login", "team", "kind", "week", "month", "license_class")
NO_TEAM = "(no team)"


@dataclass(frozen=True, slots=True)
class StatsRow:
    """`partial`: a week or month of which the range asked for covers only a part."""

    group: str
    counts: dict[Kind, int]
    partial: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


TOTAL = "total"


def stats_totals(rows: Iterable[StatsRow]) -> StatsRow:
    """The sum of the rows: each contribution is in exactly one group, so this is every one of them."""
    totals: Counter[Kind] = Counter()
    for row in rows:
        totals.update(row.counts)
    return StatsRow(TOTAL, {kind: totals[kind] for kind in Kind})


@dataclass(frozen=True, slots=True)
class Bucket:
    """One week or month of a `stats --by week|month`, cut to the range asked for."""

    label: str
    partial: bool


UNKNOWN_CLASS = "unknown"


def _attribute_key(by: GroupBy, license_classes: Mapping[str, str]) -> Callable[[CountedGroup], str]:
    """The key of a grouping that is not by time."""
    keys: dict[GroupBy, Callable[[CountedGroup], str]] = {
        "repo": lambda c: c.repo,
        "login": lambda c: c.person,
        "team": lambda c: c.team or NO_TEAM,
        "kind": lambda c: c.kind.value,
        "license_class": lambda c: license_classes.get(c.repo.lower(), UNKNOWN_CLASS),
    }
    return keys[by]


def group_totals(
    groups: Iterable[CountedGroup],
    by: GroupBy,
    *,
    buckets: Sequence[Bucket] = (),
    license_classes: Mapping[str, str] | None = None,
) -> list[StatsRow]:
    """Counts per group and kind, from counts made in the database (`counting.counted_groups`).

    Time groups come in time order, the others largest first. For `week` and `month`, the
    groups' buckets are the periods `buckets` (`period_buckets`); `license_classes` maps
    lower-cased repo names to their license class (needed only for `by="license_class"`).
    """
    key: Callable[[CountedGroup], str] = (
        (lambda g: buckets[g.bucket].label)
        if by in ("week", "month")
        else _attribute_key(by, license_classes or {})
    )
    partial = frozenset(bucket.label for bucket in buckets if bucket.partial)
    return _stats_rows(((key(group), group.kind, group.count) for group in groups), by, partial)


def _stats_rows(
    counts: Iterable[tuple[str, Kind, int]], by: GroupBy, partial: frozenset[str] = frozenset()
) -> list[StatsRow]:
    groups: dict[str, Counter[Kind]] = defaultdict(Counter)
    display: dict[str, str] = {}
    for name, kind, count in counts:
        folded = name.lower()
        display.setdefault(folded, name)
        groups[folded][kind] += count
    rows = [
        StatsRow(display[folded], {kind: counter[kind] for kind in Kind}, display[folded] in partial)
        for folded, counter in groups.items()
    ]
    if by in ("week", "month"):
        return sorted(rows, key=lambda row: row.group)
    return sorted(rows, key=lambda row: (-row.total, row.group.lower()))


def period_edges(start: datetime, end: datetime, by: GroupBy, zone: tzinfo = UTC) -> list[datetime]:
    """Bucket edges covering [start, end): `start`, each week (Monday) or month start in `zone`, `end`."""
    kind: PeriodKind = "week" if by == "week" else "month"
    return [start, *period_starts_between(kind, start, end, zone), end]


def bucket_label(start: datetime, by: GroupBy, zone: tzinfo = UTC) -> str:
    return week_label(start, zone) if by == "week" else month_label(start, zone)


def period_buckets(edges: Sequence[datetime], by: GroupBy, zone: tzinfo = UTC) -> list[Bucket]:
    """The buckets between `period_edges`, each named by its week or month and marked partial
    when the range starts after its first instant or ends before its last."""
    kind: PeriodKind = "week" if by == "week" else "month"
    return [
        Bucket(bucket_label(start, by, zone), not _whole_period(start, end, kind, zone))
        for start, end in pairwise(edges)
    ]


def _whole_period(start: datetime, end: datetime, kind: PeriodKind, zone: tzinfo) -> bool:
    first_day = period_start_day(kind, start.astimezone(zone).date())
    return start == local_day_start(first_day, zone) and end == local_day_start(
        next_period_day(kind, first_day), zone
    )


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
        "occurred_at": iso_utc(contribution.occurred_at),
    }


def stats_record(row: StatsRow, by: GroupBy) -> dict[str, object]:
    """One group's counts; by week or month, also whether the range covers only part of it."""
    record: dict[str, object] = {by: row.group, **{kind.value: row.counts[kind] for kind in Kind}}
    record[TOTAL] = row.total
    if by in ("week", "month"):
        record["partial"] = row.partial
    return record


def person_record(person: Person, *, structured: bool) -> dict[str, object]:
    """A person who counts, and when: `membership` is a list of {start, end} (ISO 8601, null for
    the beginning of history or "still a member") when `structured`, else one line of text."""
    return {
        "login": person.login,
        "name": person.name,
        "team": person.team,
        "aliases": ", ".join(person.aliases),
        "former_logins": ", ".join(person.former_logins),
        "membership": _intervals_json(person.membership) if structured else intervals_text(person.membership),
        "source": person.source.value,
        "public": person.public,
        "counts": True,
        "reason": "",
    }


def uncounted_record(member: UncountedMember) -> dict[str, object]:
    return {"login": member.login, "source": "observed", "counts": False, "reason": member.reason}


def _intervals_json(intervals: Sequence[Interval]) -> list[dict[str, str | None]]:
    return [
        {
            "start": iso_utc(interval.start) if interval.start else None,
            "end": iso_utc(interval.end) if interval.end else None,
        }
        for interval in intervals
    ]


def intervals_text(intervals: Sequence[Interval]) -> str:
    """`beginning → 2026-10-29; 2026-11-28 12:00 → now`: UTC, a midnight as the day alone."""
    return "; ".join(
        f"{_moment_text(interval.start, 'beginning')} → {_moment_text(interval.end, 'now')}"
        for interval in intervals
    )


def _moment_text(moment: datetime | None, missing: str) -> str:
    if moment is None:
        return missing
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d}" if moment.time() == datetime.min.time() else f"{moment:%Y-%m-%d %H:%M}"
