"""The counting contract: who counts, which repos count, which contributions count.

Pure functions over plain values. Every number the tool prints goes through
`count_contributions`; the store only pre-filters rows with conditions that
can never drop a row these rules would keep.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache

from tracker.domain import Contribution, CountedContribution, Kind, OrgMember, RepoRecord

BOT_USER_TYPE = "Bot"


@dataclass(frozen=True, slots=True)
class RosterEntry:
    login: str
    name: str | None = None
    team: str | None = None
    aliases: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    public: bool = True


@dataclass(frozen=True, slots=True)
class Person:
    """Someone whose contributions count, with every login that is theirs."""

    login: str
    name: str | None
    team: str | None
    public: bool
    since: datetime | None
    until: datetime | None
    aliases: tuple[str, ...]
    source: str

    @property
    def logins(self) -> tuple[str, ...]:
        return (self.login, *self.aliases)


@dataclass(frozen=True, slots=True)
class RepoRules:
    include: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    merged_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def labels_meaning_merged(self, repo: str) -> frozenset[str]:
        wanted = repo.lower()
        for name, labels in self.merged_labels.items():
            if name.lower() == wanted:
                return frozenset(label.lower() for label in labels)
        return frozenset()


@dataclass(frozen=True, slots=True)
class RepoFacts:
    """What GitHub says about a repo; `exists` is false after a 404."""

    full_name: str
    topics: tuple[str, ...] = ()
    fork: bool = False
    private: bool = False
    archived: bool = False
    exists: bool = True


def facts_of(record: RepoRecord) -> RepoFacts:
    return RepoFacts(
        full_name=record.full_name,
        topics=record.topics,
        fork=record.fork,
        private=record.private,
        archived=record.archived,
        exists=record.exists,
    )


@dataclass(frozen=True, slots=True)
class RepoDecision:
    counts: bool
    reason: str


@dataclass(frozen=True, slots=True)
class CountingContext:
    """Everything `count_contributions` needs: people by login and the repos that count."""

    people_by_login: Mapping[str, Person]
    counted_repos: frozenset[str]

    def person_for(self, login: str) -> Person | None:
        return self.people_by_login.get(login.lower())


def is_bot(login: str, user_type: str | None = None) -> bool:
    return user_type == BOT_USER_TYPE or login.lower().endswith("[bot]")


def start_of_day(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


def build_people(
    org_members: Iterable[OrgMember],
    roster: Iterable[RosterEntry],
    exclude: Iterable[str] = (),
) -> list[Person]:
    """Org members plus roster people, minus excluded logins and bots.

    A roster entry adds details (name, team, aliases, window) to a member of the
    same login, or adds a person who is not a (public) member. An alias that is
    itself a member login is folded into the roster person, not counted twice.
    """
    excluded = {login.lower() for login in exclude}
    roster_by_login = {entry.login.lower(): entry for entry in roster}
    alias_owner = {
        alias.lower(): entry.login.lower() for entry in roster_by_login.values() for alias in entry.aliases
    }
    people: dict[str, Person] = {}
    for member in org_members:
        key = member.login.lower()
        if is_bot(member.login, member.user_type) or key in excluded or key in alias_owner:
            continue
        entry = roster_by_login.get(key)
        people[key] = _person_from(entry, "org+roster") if entry else _plain_member(member.login)
    for key, entry in roster_by_login.items():
        if key in people or key in excluded or is_bot(entry.login):
            continue
        people[key] = _person_from(entry, "roster")
    return sorted(people.values(), key=lambda person: person.login.lower())


def _plain_member(login: str) -> Person:
    return Person(login, None, None, True, None, None, (), "org")


def _person_from(entry: RosterEntry, source: str) -> Person:
    aliases = tuple(alias for alias in entry.aliases if not is_bot(alias))
    return Person(
        login=entry.login,
        name=entry.name,
        team=entry.team,
        public=entry.public,
        since=start_of_day(entry.since),
        until=start_of_day(entry.until),
        aliases=aliases,
        source=source,
    )


def people_by_login(people: Iterable[Person]) -> dict[str, Person]:
    """Every login (primary and alias, lower-cased) to its person."""
    return {login.lower(): person for person in people for login in person.logins}


def matches_pattern(full_name: str, pattern: str) -> bool:
    """`owner/name` exactly or `owner/*`, case-insensitive."""
    return fnmatch.fnmatchcase(full_name.lower(), pattern.lower())


def decide_repo(rules: RepoRules, facts: RepoFacts) -> RepoDecision:
    name = facts.full_name
    if not facts.exists:
        return RepoDecision(False, "not found (deleted, renamed or private)")
    if facts.private:
        return RepoDecision(False, "private")
    if facts.fork:
        return RepoDecision(False, "fork")
    excluded_by = _first_match(name, rules.exclude)
    if excluded_by:
        return RepoDecision(False, f"excluded by {excluded_by}")
    included_by = _first_match(name, rules.include)
    if included_by:
        return RepoDecision(True, f"include {included_by}")
    wanted = {topic.lower() for topic in rules.topics}
    topics = sorted(topic for topic in facts.topics if topic.lower() in wanted)
    if topics:
        return RepoDecision(True, "topic " + ", ".join(topics))
    return RepoDecision(False, "no include pattern or topic matches")


def _first_match(full_name: str, patterns: tuple[str, ...]) -> str | None:
    """The first pattern that matches, in the given order."""
    exact, wildcards = _split_patterns(patterns)
    name = full_name.lower()
    matching = ((index, pattern) for index, pattern in wildcards if matches_pattern(name, pattern))
    wildcard = next(matching, None)
    candidates = [match for match in (exact.get(name), wildcard) if match is not None]
    return min(candidates)[1] if candidates else None


@cache
def _split_patterns(
    patterns: tuple[str, ...],
) -> tuple[dict[str, tuple[int, str]], list[tuple[int, str]]]:
    """Plain names by lower-cased name (first occurrence) and the wildcard patterns, each with its
    position: a catalog of hundreds of plain names is then a lookup, not hundreds of fnmatch calls."""
    exact: dict[str, tuple[int, str]] = {}
    wildcards: list[tuple[int, str]] = []
    for index, pattern in enumerate(patterns):
        if any(char in pattern for char in "*?["):
            wildcards.append((index, pattern))
        else:
            exact.setdefault(pattern.lower(), (index, pattern))
    return exact, wildcards


def within_window(person: Person, moment: datetime) -> bool:
    """`since` is inclusive, `until` exclusive: work after leaving does not count."""
    if person.since is not None and moment < person.since:
        return False
    return person.until is None or moment < person.until


def count_contribution(contribution: Contribution, context: CountingContext) -> CountedContribution | None:
    """The single decision: does this contribution count, and for whom?"""
    if contribution.repo.lower() not in context.counted_repos:
        return None
    person = context.person_for(contribution.login)
    if person is None or not within_window(person, contribution.occurred_at):
        return None
    if contribution.kind is Kind.REVIEW and _reviews_own_pull_request(contribution, person, context):
        return None
    return CountedContribution(
        kind=contribution.kind,
        github_id=contribution.github_id,
        person=person.login,
        team=person.team,
        public=person.public,
        repo=contribution.repo,
        number=contribution.number,
        title=contribution.title,
        url=contribution.url,
        occurred_at=contribution.occurred_at,
    )


def _reviews_own_pull_request(contribution: Contribution, reviewer: Person, context: CountingContext) -> bool:
    author = contribution.subject_author
    if author is None:
        return False
    if author.lower() == contribution.login.lower():
        return True
    return context.person_for(author) is reviewer


def count_contributions(
    contributions: Iterable[Contribution], context: CountingContext
) -> Iterator[CountedContribution]:
    for contribution in contributions:
        counted = count_contribution(contribution, context)
        if counted is not None:
            yield counted


def pull_request_merge(
    *,
    merged_at: datetime | None,
    closed_at: datetime | None,
    labels: Iterable[str],
    labels_meaning_merged: frozenset[str],
) -> datetime | None:
    """When a PR landed: merged_at, or closed_at when a merge bot closed it with a merge label."""
    if merged_at is not None:
        return merged_at
    if closed_at is not None and labels_meaning_merged & {label.lower() for label in labels}:
        return closed_at
    return None
