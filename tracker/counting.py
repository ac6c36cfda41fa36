"""The one path from the store to every number the tool prints (query, stats, digest).

It loads the people and repos the store knows, lets the counting rules decide, and
applies them to the stored contributions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlmodel import Session

from tracker.config import Settings
from tracker.domain import Contribution, CountedContribution, CountedGroup, Kind, RepoRecord
from tracker.membership import boundaries
from tracker.openness import license_class_of
from tracker.reports import GroupBy, StatsRow, group_totals, period_buckets, period_edges
from tracker.rules import (
    CountingContext,
    Person,
    RepoDecision,
    build_people,
    count_contribution,
    count_contributions,
    decide_repo,
    facts_of,
    people_by_login,
)
from tracker.store.contributions import (
    ContributionFilter,
    group_contributions,
    list_contributions,
    stored_time_range,
)
from tracker.store.membership import list_member_accounts
from tracker.store.repos import list_repo_keys, list_repos


class UnknownFilterValue(ValueError):
    """A --login or --team that names nobody the tracker knows."""


@dataclass(frozen=True, slots=True)
class QueryFilter:
    login: str | None = None
    team: str | None = None
    repo: str | None = None
    kinds: frozenset[Kind] | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class RepoView:
    record: RepoRecord
    decision: RepoDecision


def load_people(session: Session, settings: Settings) -> list[Person]:
    return build_people(list_member_accounts(session), settings.roster, settings.exclude)


def load_repos(session: Session, settings: Settings) -> list[RepoView]:
    return _repo_views(list_repos(session), settings)


def _repo_views(records: Iterable[RepoRecord], settings: Settings) -> list[RepoView]:
    return [RepoView(record, decide_repo(settings.repo_rules, facts_of(record))) for record in records]


def counting_context(
    session: Session, settings: Settings, repos: Mapping[str, RepoRecord] | None = None
) -> CountingContext:
    """`repos` are the stored repos by key, when the caller has them already."""
    people = load_people(session, settings)
    by_key = repos if repos is not None else list_repo_keys(session)
    counted = frozenset(
        view.record.full_name.lower()
        for view in _repo_views(by_key.values(), settings)
        if view.decision.counts
    )
    counted_keys = counted | frozenset(
        key for key, record in by_key.items() if record.full_name.lower() in counted
    )
    return CountingContext(people_by_login=people_by_login(people), counted_repos=counted_keys)


def counted_contributions(
    session: Session, settings: Settings, where: QueryFilter, context: CountingContext | None = None
) -> list[CountedContribution]:
    """Counted contributions matching the filter, newest first."""
    context = context or counting_context(session, settings)
    logins = _logins_for(where, context)
    repos = frozenset({where.repo.lower()}) if where.repo else None
    prefilter = ContributionFilter(
        since=where.since, until=where.until, logins=logins, repos=repos, kinds=where.kinds
    )
    rows = list_contributions(session, where=prefilter)
    return list(count_contributions(rows, context))


def _logins_for(where: QueryFilter, context: CountingContext) -> frozenset[str] | None:
    """The logins to pre-filter on; None when every tracked person is wanted (the rules decide)."""
    if where.login is None and where.team is None:
        return None
    people = set(context.people_by_login.values())
    if where.login is not None:
        person = context.person_for(where.login)
        if person is None:
            raise UnknownFilterValue(f"no tracked person has the login {where.login!r}")
        people = {person}
    if where.team is not None:
        people = {person for person in people if (person.team or "").lower() == where.team.lower()}
        if not people:
            raise UnknownFilterValue(f"no tracked person is in the team {where.team!r}")
    return frozenset(login.lower() for person in people for login in person.logins)


def license_classes(session: Session) -> dict[str, str]:
    """Each known repo's license class, by lower-cased name (and by the name it was asked under)."""
    classes: dict[str, str] = {}
    for key, record in list_repo_keys(session).items():
        value = license_class_of(record).value
        classes[key] = value
        classes[record.full_name.lower()] = value
    return classes


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def counted_groups(
    session: Session,
    settings: Settings,
    where: QueryFilter,
    edges: Sequence[datetime] | None = None,
    context: CountingContext | None = None,
) -> list[CountedGroup]:
    """The same numbers as `counted_contributions`, counted in the database.

    Rows alike in everything the rules look at are grouped in SQL, and the rules decide for
    each group once. Time is bucketed by `edges` (default: the filter's own range) refined
    with every start and end of everyone's membership, so that a whole group is always on one
    side of each.
    """
    context = context or counting_context(session, settings)
    wanted = list(edges) if edges else [where.since or EARLIEST, where.until or LATEST]
    fine = _refine(wanted, context)
    to_wanted = [bisect_right(wanted, fine[index]) - 1 for index in range(len(fine) - 1)]
    prefilter = ContributionFilter(
        logins=_logins_for(where, context),
        repos=frozenset({where.repo.lower()}) if where.repo else context.counted_repos,
        kinds=where.kinds,
    )
    totals: Counter[tuple[int, str, str | None, bool, str, Kind]] = Counter()
    for bucket, kind, login, repo, author, count in group_contributions(session, where=prefilter, edges=fine):
        # Membership boundaries are among the edges, so a bucket's start decides for all of it.
        representative = Contribution(kind, 0, login, repo, 0, "", "", fine[bucket], author)
        counted = count_contribution(representative, context)
        if counted is not None:
            key = (to_wanted[bucket], counted.person, counted.team, counted.public, counted.repo, kind)
            totals[key] += count
    return [CountedGroup(*key, count) for key, count in totals.items()]


def _refine(edges: list[datetime], context: CountingContext) -> list[datetime]:
    windows = {
        moment
        for person in set(context.people_by_login.values())
        for moment in boundaries(person.membership)
        if edges[0] < moment < edges[-1]
    }
    return sorted(set(edges) | windows)


def counted_stats(
    session: Session,
    settings: Settings,
    where: QueryFilter,
    by: GroupBy,
    zone: tzinfo = UTC,
    now: datetime | None = None,
) -> list[StatsRow]:
    """`tracker stats`: the counts per group and kind.

    Weeks and months are cut in `zone`, from the filter's start (else the first stored
    contribution) to its end (else `now`, or just after the last contribution if that is later);
    those the range covers only in part are marked partial.
    """
    if by not in ("week", "month"):
        classes = license_classes(session) if by == "license_class" else {}
        return group_totals(counted_groups(session, settings, where), by, license_classes=classes)
    edges = _period_edges(session, where, by, zone, now)
    if edges is None:
        return []
    buckets = period_buckets(edges, by, zone)
    return group_totals(counted_groups(session, settings, where, edges), by, buckets=buckets)


def _period_edges(
    session: Session, where: QueryFilter, by: GroupBy, zone: tzinfo, now: datetime | None
) -> list[datetime] | None:
    """The edges of the weeks or months the filter covers in the store; None when they cover nothing."""
    span = stored_time_range(session)
    if span is None:
        return None
    start = where.since or span[0]
    after_last = span[1] + timedelta(seconds=1)
    end = where.until or (after_last if now is None else max(now, after_last))
    return period_edges(start, end, by, zone) if start < end else None
