"""The digest's facts: what the store holds for a period, read through the counting path.

Numbers come from `counting.counted_groups` (every period in one pass) and
`counting.counted_contributions` (the period's merged PRs), with one `CountingContext` for
all of them, so they equal what `tracker stats` prints for the same periods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import Session

from tracker.config import Settings
from tracker.counting import QueryFilter, counted_contributions, counted_groups, counting_context
from tracker.digest.content import (
    TREND_PERIODS,
    DigestFacts,
    PeriodContributions,
    PersonRepo,
    SyncStatus,
    canonical_repo,
    earliest_merges,
    summarize_groups,
)
from tracker.domain import CountedContribution, CountedGroup, Kind, RepoRecord
from tracker.membership import joins_and_departures
from tracker.openness import LicenseChange
from tracker.periods import Period, trailing_periods
from tracker.rules import CountingContext
from tracker.store.contributions import first_merge_per_person_repo
from tracker.store.repos import list_license_changes, list_repo_keys
from tracker.store.runs import last_successful_sync, last_sync_run


def gather_facts(session: Session, settings: Settings, period: Period) -> DigestFacts:
    """Everything the digest of `period` is built from, with the trend periods before it."""
    repos = list_repo_keys(session)
    context = counting_context(session, settings, repos)
    history = _history(session, settings, trailing_periods(period, TREND_PERIODS), context)
    people = {person.login.lower(): person.membership for person in context.people_by_login.values()}
    joined, left = joins_and_departures(people.values(), period.start, period.end)
    return DigestFacts(
        org=settings.org,
        history=history,
        first_merges=_first_merges(session, context, history[-1].contributions, repos),
        repos=repos,
        license_changes=_license_changes(session, context),
        sync=_sync_status(session),
        has_teams=any(entry.team for entry in settings.roster),
        names={login: person.name for login, person in context.people_by_login.items() if person.name},
        joined=joined,
        left=left,
    )


def _history(
    session: Session, settings: Settings, periods: Sequence[Period], context: CountingContext
) -> list[PeriodContributions]:
    """Every period's numbers, counted in the database in one pass; in full, only what the
    digest shows one by one: the merged PRs of its own period."""
    edges = [each.start for each in periods] + [periods[-1].end]
    by_period: dict[int, list[CountedGroup]] = {index: [] for index in range(len(periods))}
    for group in counted_groups(session, settings, QueryFilter(), edges, context):
        by_period[group.bucket].append(group)
    current = periods[-1]
    merged = QueryFilter(since=current.start, until=current.end, kinds=frozenset({Kind.PR_MERGED}))
    history = [
        PeriodContributions(each, (), summarize_groups(by_period[i])) for i, each in enumerate(periods[:-1])
    ]
    rows = counted_contributions(session, settings, merged, context)
    history.append(PeriodContributions(current, rows, groups=by_period[len(periods) - 1]))
    return history


def _first_merges(
    session: Session,
    context: CountingContext,
    rows: Sequence[CountedContribution],
    repos: Mapping[str, RepoRecord],
) -> dict[PersonRepo, int]:
    merged = [row for row in rows if row.kind is Kind.PR_MERGED]
    if not merged:
        return {}
    people = {person for row in merged if (person := context.person_for(row.person)) is not None}
    wanted = {canonical_repo(repos, row.repo) for row in merged}
    repo_keys = {key for key in repos if canonical_repo(repos, key) in wanted} | wanted
    facts = first_merge_per_person_repo(
        session,
        logins={login.lower() for person in people for login in person.logins},
        repos=repo_keys,
    )
    return earliest_merges(facts, lambda login: _person_login(context, login), repos)


def _person_login(context: CountingContext, login: str) -> str | None:
    person = context.person_for(login)
    return person.login if person is not None else None


def _license_changes(session: Session, context: CountingContext) -> list[LicenseChange]:
    return [
        LicenseChange(row.full_name, row.old_license, row.new_license, row.seen_at)
        for row in list_license_changes(session)
        if row.repo_key in context.counted_repos
    ]


def _sync_status(session: Session) -> SyncStatus:
    last = last_sync_run(session)
    success = last_successful_sync(session)
    return SyncStatus(
        last_success_finished_at=success.finished_at if success else None,
        last_run_status=last.status if last else None,
        last_run_started_at=last.started_at if last else None,
    )
