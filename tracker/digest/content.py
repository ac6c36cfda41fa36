"""The digest's content (its numbers) from the counted contributions of a few periods.

Pure: no I/O, and `now` is passed in. Every number here is a count of `CountedContribution`s
that `tracker.counting` produced, grouped with `tracker.reports.group_totals`, so a digest
number equals the matching `tracker stats` number. People with `public = false` are counted in
every total and never named: they are left out of the people, first-contribution and
highlight lists and folded into "and N more".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from tracker.domain import Contribution, CountedContribution, CountedGroup, Kind, RepoRecord
from tracker.openness import LicenseChange, LicenseClass, license_class_of
from tracker.periods import Period
from tracker.reports import NO_TEAM, group_totals

TREND_PERIODS = 8
TOP_REPOS = 10
TOP_PEOPLE = 15
TOP_TEAMS = 10
TOP_FIRST_CONTRIBUTIONS = 10
STALE_AFTER = timedelta(days=1)
KIND_ORDER: tuple[Kind, ...] = (Kind.PR_MERGED, Kind.PR_OPENED, Kind.REVIEW, Kind.ISSUE_OPENED, Kind.COMMENT)

T = TypeVar("T")
PersonRepo = tuple[str, str]


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    """The numbers of a period that only serves as comparison or trend."""

    total: int
    by_kind: Mapping[Kind, int]
    contributors: int
    repos: int


def summarize(rows: Iterable[CountedContribution]) -> PeriodSummary:
    return summarize_groups(groups_of(rows))


def summarize_groups(groups: Iterable[CountedGroup]) -> PeriodSummary:
    """The same summary from counts made in the database (`counting.counted_groups`)."""
    groups = list(groups)
    by_kind = {kind: sum(group.count for group in groups if group.kind is kind) for kind in Kind}
    return PeriodSummary(
        total=sum(by_kind.values()),
        by_kind=by_kind,
        contributors=len({group.person.lower() for group in groups}),
        repos=len({group.repo.lower() for group in groups}),
    )


@dataclass(frozen=True, slots=True)
class PeriodContributions:
    """A period's counted contributions, or (for comparison and trend periods) only its summary."""

    period: Period
    contributions: Sequence[CountedContribution]
    summary: PeriodSummary | None = None
    groups: Sequence[CountedGroup] | None = None

    def totals(self) -> PeriodSummary:
        if self.summary is not None:
            return self.summary
        return summarize_groups(self.counts())

    def counts(self) -> Sequence[CountedGroup]:
        """Counts per person, repo and kind: given (counted in the database), or from the rows.

        When `groups` is given, `contributions` need only hold the period's merged PRs.
        """
        return self.groups if self.groups is not None else groups_of(self.contributions)


def groups_of(rows: Iterable[CountedContribution]) -> list[CountedGroup]:
    totals: Counter[tuple[str, str | None, bool, str, Kind]] = Counter(
        (row.person, row.team, row.public, row.repo, row.kind) for row in rows
    )
    return [CountedGroup(0, *key, count) for key, count in totals.items()]


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the store says about the syncs: the last successful one and the very last one."""

    last_success_finished_at: datetime | None
    last_run_status: str | None
    last_run_started_at: datetime | None


@dataclass(frozen=True, slots=True)
class DigestFacts:
    """Everything the digest is built from, as plain values.

    `history` holds consecutive periods, oldest first; the last one is the digest's period and
    the one before it the comparison. `first_merges` maps (person, current repo name), both lower-cased,
    to the github_id of that person's earliest merged PR in that repo the store knows.
    `repos` maps lower-cased repo names (renamed ones too) to their records. `names` maps
    lower-cased person logins to display names. `joined` and `left` count the people whose
    membership started, or ended, in the digest's period.
    """

    org: str
    history: Sequence[PeriodContributions]
    first_merges: Mapping[PersonRepo, int]
    repos: Mapping[str, RepoRecord]
    license_changes: Sequence[LicenseChange]
    sync: SyncStatus
    has_teams: bool
    names: Mapping[str, str]
    joined: int = 0
    left: int = 0


# --- content ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    current: int
    previous: int

    @property
    def delta(self) -> int:
        return self.current - self.previous


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """What a list shows, and how many entries it leaves out (capped or not named)."""

    items: tuple[T, ...]
    more: int = 0


@dataclass(frozen=True, slots=True)
class RepoLine:
    name: str
    url: str | None
    count: int
    license_class: LicenseClass


@dataclass(frozen=True, slots=True)
class PersonLine:
    login: str
    name: str | None
    count: int


@dataclass(frozen=True, slots=True)
class TeamLine:
    name: str
    count: int
    people: int


@dataclass(frozen=True, slots=True)
class MergedPullRequest:
    """A merged PR; `author` is None when its author must not be named."""

    title: str
    url: str
    repo: str
    repo_url: str | None
    number: int
    author: str | None
    author_name: str | None
    merged_at: datetime
    first: bool


@dataclass(frozen=True, slots=True)
class TrendPoint:
    label: str
    total: int


@dataclass(frozen=True, slots=True)
class Openness:
    osi_contributions: int
    contributions: int
    license_changes: tuple[LicenseChange, ...]

    @property
    def osi_percent(self) -> int | None:
        """The OSI share to the nearest percent; 0 and 100 only when none or all are OSI."""
        if self.contributions == 0:
            return None
        percent = round(self.osi_contributions * 100 / self.contributions)
        if 0 < self.osi_contributions < self.contributions:
            return min(max(percent, 1), 99)
        return percent


@dataclass(frozen=True, slots=True)
class Freshness:
    last_success_at: datetime | None
    last_sync_failed: bool
    stale: bool
    ends_before_period: bool

    @property
    def warns(self) -> bool:
        return self.last_success_at is None or self.last_sync_failed or self.stale


@dataclass(frozen=True, slots=True)
class DigestContent:
    org: str
    period: Period
    previous: Period | None
    total: Change
    contributors: Change
    repo_count: Change
    by_kind: tuple[tuple[Kind, Change], ...]
    repos: Listing[RepoLine]
    people: Listing[PersonLine]
    teams: Listing[TeamLine] | None
    first_contributions: Listing[MergedPullRequest]
    highlights: Listing[MergedPullRequest]
    trend: tuple[TrendPoint, ...]
    openness: Openness
    freshness: Freshness
    joined: int = 0
    left: int = 0

    @property
    def is_empty(self) -> bool:
        return self.total.current == 0


# --- building -----------------------------------------------------------------------------------


def build_digest(facts: DigestFacts, *, highlights: int, now: datetime) -> DigestContent:
    if not facts.history:
        raise ValueError("the digest needs at least the contributions of its own period")
    current = facts.history[-1]
    previous = facts.history[-2] if len(facts.history) > 1 else None
    groups = current.counts()
    counts = summarize_groups(groups)
    before = previous.totals() if previous else summarize(())
    merged = merged_pull_requests(current.contributions, facts)
    firsts = [pull for pull in merged if pull.first]
    return DigestContent(
        org=facts.org,
        period=current.period,
        previous=previous.period if previous else None,
        total=Change(counts.total, before.total),
        contributors=Change(counts.contributors, before.contributors),
        repo_count=Change(counts.repos, before.repos),
        by_kind=tuple((kind, Change(counts.by_kind[kind], before.by_kind[kind])) for kind in KIND_ORDER),
        repos=repo_listing(groups, facts.repos),
        people=people_listing(groups, facts.names),
        teams=team_listing(groups) if facts.has_teams else None,
        first_contributions=_named_listing(firsts, TOP_FIRST_CONTRIBUTIONS),
        highlights=_named_listing(merged, highlights),
        trend=tuple(TrendPoint(item.period.short_label, item.totals().total) for item in facts.history),
        openness=openness_of(groups, facts.repos, facts.license_changes, current.period),
        freshness=freshness_of(facts.sync, current.period, now),
        joined=facts.joined,
        left=facts.left,
    )


def repo_listing(groups: Sequence[CountedGroup], repos: Mapping[str, RepoRecord]) -> Listing[RepoLine]:
    totals = group_totals(groups, "repo")
    lines = tuple(
        RepoLine(
            name=total.group,
            url=_repo_url(repos.get(total.group.lower())),
            count=total.total,
            license_class=license_class_of(repos.get(total.group.lower())),
        )
        for total in totals[:TOP_REPOS]
    )
    return Listing(lines, len(totals) - len(lines))


def _repo_url(record: RepoRecord | None) -> str | None:
    return record.html_url if record is not None else None


def people_listing(groups: Sequence[CountedGroup], names: Mapping[str, str]) -> Listing[PersonLine]:
    totals = group_totals(groups, "login")
    private = frozenset(group.person.lower() for group in groups if not group.public)
    public = [total for total in totals if total.group.lower() not in private]
    lines = tuple(
        PersonLine(total.group, names.get(total.group.lower()), total.total) for total in public[:TOP_PEOPLE]
    )
    return Listing(lines, len(totals) - len(lines))


def team_listing(groups: Sequence[CountedGroup]) -> Listing[TeamLine]:
    totals = [total for total in group_totals(groups, "team") if total.group != NO_TEAM]
    people: dict[str, set[str]] = {}
    for group in groups:
        if group.team is not None:
            people.setdefault(group.team.lower(), set()).add(group.person.lower())
    lines = tuple(
        TeamLine(total.group, total.total, len(people[total.group.lower()])) for total in totals[:TOP_TEAMS]
    )
    return Listing(lines, len(totals) - len(lines))


def merged_pull_requests(rows: Iterable[CountedContribution], facts: DigestFacts) -> list[MergedPullRequest]:
    """The period's merged PRs, most notable first: first contributions, then bigger repos, then newest."""
    merged = [row for row in rows if row.kind is Kind.PR_MERGED]
    pulls = [_merged_pull_request(row, facts) for row in merged]
    return sorted(pulls, key=lambda pull: _notability(pull, facts.repos))


def _merged_pull_request(row: CountedContribution, facts: DigestFacts) -> MergedPullRequest:
    key = (row.person.lower(), canonical_repo(facts.repos, row.repo))
    return MergedPullRequest(
        title=row.title,
        url=row.url,
        repo=row.repo,
        repo_url=_repo_url(facts.repos.get(row.repo.lower())),
        number=row.number,
        author=row.person if row.public else None,
        author_name=facts.names.get(row.person.lower()) if row.public else None,
        merged_at=row.occurred_at,
        first=facts.first_merges.get(key) == row.github_id,
    )


def _notability(pull: MergedPullRequest, repos: Mapping[str, RepoRecord]) -> tuple[bool, int, float, str]:
    record = repos.get(pull.repo.lower())
    stars = record.stars if record is not None else 0
    return (not pull.first, -stars, -pull.merged_at.timestamp(), pull.url)


def _named_listing(pulls: Sequence[MergedPullRequest], cap: int) -> Listing[MergedPullRequest]:
    """The pulls whose author may be named, up to `cap`; the rest are "more"."""
    shown = tuple(pull for pull in pulls if pull.author is not None)[:cap]
    return Listing(shown, len(pulls) - len(shown))


def canonical_repo(repos: Mapping[str, RepoRecord], name: str) -> str:
    """The lower-cased current name of a repo known under `name` (renamed repos keep old keys)."""
    record = repos.get(name.lower())
    return record.full_name.lower() if record is not None else name.lower()


def earliest_merges(
    merges: Iterable[Contribution],
    person_of: Callable[[str], str | None],
    repos: Mapping[str, RepoRecord],
) -> dict[PersonRepo, int]:
    """(person, repo) → github_id of the earliest merge, from stored merges given oldest first."""
    earliest: dict[PersonRepo, int] = {}
    for merge in merges:
        person = person_of(merge.login)
        if person is not None:
            earliest.setdefault((person.lower(), canonical_repo(repos, merge.repo)), merge.github_id)
    return earliest


def openness_of(
    groups: Sequence[CountedGroup],
    repos: Mapping[str, RepoRecord],
    changes: Iterable[LicenseChange],
    period: Period,
) -> Openness:
    osi = sum(
        group.count for group in groups if license_class_of(repos.get(group.repo.lower())) is LicenseClass.OSI
    )
    during = tuple(
        sorted(
            (change for change in changes if period.start <= change.seen_at < period.end),
            key=lambda change: (change.seen_at, change.full_name.lower()),
        )
    )
    return Openness(
        osi_contributions=osi, contributions=sum(group.count for group in groups), license_changes=during
    )


def freshness_of(sync: SyncStatus, period: Period, now: datetime) -> Freshness:
    last = sync.last_success_finished_at
    return Freshness(
        last_success_at=last,
        last_sync_failed=sync.last_run_status == "failed",
        stale=last is not None and now - last > STALE_AFTER,
        ends_before_period=last is not None and last < period.end,
    )
