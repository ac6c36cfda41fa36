"""What the bot's answers say, read from the store through the one counting path.

Every number comes from `counting.counted_groups` (and the merged PRs listed from
`counting.counted_contributions`), summed as the digest sums them, so an answer equals
`tracker stats` over the same window with the same filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from tracker.bot.windows import Window
from tracker.config import Settings
from tracker.counting import QueryFilter, counted_contributions, counted_groups, counting_context
from tracker.digest.content import (
    Listing,
    PeriodSummary,
    PersonLine,
    RepoLine,
    people_listing,
    repo_listing,
    summarize_groups,
)
from tracker.domain import CountedContribution, CountedGroup, Kind, RepoRecord
from tracker.reports import StatsRow, group_totals
from tracker.rules import CountingContext, Person
from tracker.store.repos import list_repo_keys
from tracker.store.runs import last_successful_sync

MERGED_SHOWN = 5


@dataclass(frozen=True, slots=True)
class Store:
    """One question's view of the store: the session, the repos and who counts."""

    session: Session
    settings: Settings
    repos: Mapping[str, RepoRecord]
    context: CountingContext

    def repo_url(self, name: str) -> str | None:
        record = self.repos.get(name.lower())
        return record.html_url if record is not None else None

    def names(self) -> dict[str, str]:
        return {login: person.name for login, person in self.context.people_by_login.items() if person.name}


def open_store(session: Session, settings: Settings) -> Store:
    repos = list_repo_keys(session)
    return Store(session, settings, repos, counting_context(session, settings, repos))


def last_sync_end(session: Session) -> datetime | None:
    """When the last successful sync ended; None when none ever did."""
    run = last_successful_sync(session)
    return run.finished_at if run is not None else None


@dataclass(frozen=True, slots=True)
class OrgNumbers:
    window: Window
    previous: Window
    current: PeriodSummary
    before: PeriodSummary


@dataclass(frozen=True, slots=True)
class PersonNumbers:
    person: Person
    window: Window
    summary: PeriodSummary
    repos: Sequence[StatsRow]
    repo_urls: Mapping[str, str | None]
    merged: Sequence[CountedContribution]


@dataclass(frozen=True, slots=True)
class RepoNumbers:
    """`merged` holds only the merged PRs whose author may be named."""

    name: str
    counted: bool
    window: Window
    summary: PeriodSummary
    people: Listing[PersonLine]
    merged: Sequence[CountedContribution]


@dataclass(frozen=True, slots=True)
class TopRepos:
    window: Window
    summary: PeriodSummary
    repos: Listing[RepoLine]


def read_org(store: Store, window: Window) -> OrgNumbers:
    """The organization's totals in `window` and in the window before, counted in one pass."""
    previous = window.previous()
    edges = [previous.start, window.start, window.end]
    buckets: dict[int, list[CountedGroup]] = {0: [], 1: []}
    for group in counted_groups(store.session, store.settings, QueryFilter(), edges, store.context):
        buckets[group.bucket].append(group)
    return OrgNumbers(window, previous, summarize_groups(buckets[1]), summarize_groups(buckets[0]))


def read_person(store: Store, person: Person, window: Window) -> PersonNumbers:
    where = QueryFilter(login=person.login, since=window.start, until=window.end)
    groups = _groups(store, where)
    repos = group_totals(groups, "repo")
    return PersonNumbers(
        person=person,
        window=window,
        summary=summarize_groups(groups),
        repos=repos,
        repo_urls={row.group: store.repo_url(row.group) for row in repos},
        merged=_merged(store, where)[:MERGED_SHOWN],
    )


def read_repo(store: Store, name: str, window: Window) -> RepoNumbers:
    record = store.repos.get(name.lower())
    where = QueryFilter(repo=name, since=window.start, until=window.end)
    groups = _groups(store, where)
    return RepoNumbers(
        name=record.full_name if record is not None else name,
        counted=name.lower() in store.context.counted_repos,
        window=window,
        summary=summarize_groups(groups),
        people=people_listing(groups, store.names()),
        merged=[row for row in _merged(store, where) if row.public][:MERGED_SHOWN],
    )


def read_top(store: Store, window: Window) -> TopRepos:
    groups = _groups(store, QueryFilter(since=window.start, until=window.end))
    return TopRepos(window, summarize_groups(groups), repo_listing(groups, store.repos))


def _groups(store: Store, where: QueryFilter) -> list[CountedGroup]:
    return counted_groups(store.session, store.settings, where, context=store.context)


def _merged(store: Store, where: QueryFilter) -> list[CountedContribution]:
    """The merged PRs of the filter, newest first."""
    merged = QueryFilter(
        login=where.login,
        repo=where.repo,
        since=where.since,
        until=where.until,
        kinds=frozenset({Kind.PR_MERGED}),
    )
    return counted_contributions(store.session, store.settings, merged, store.context)
