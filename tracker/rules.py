"""The counting contract: who counts, which repos count, which contributions count.

Pure functions over plain values. Every number the tool prints goes through
`count_contributions`; the store only pre-filters rows with conditions that
can never drop a row these rules would keep.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Literal

from tracker.domain import Contribution, CountedContribution, Kind, RepoRecord
from tracker.membership import WHOLE_HISTORY, Interval, MemberAccount, MembershipSource, is_member_at

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
    slack: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """Someone whose contributions count while they are a member, with every login that is theirs.

    `membership` holds the intervals in which their work counts, from `source`; `aliases` are
    their other accounts (the roster's), `former_logins` what their accounts were called before
    a rename: work stored under those still counts, but they are no longer fetched.
    """

    login: str
    name: str | None
    team: str | None
    public: bool
    membership: tuple[Interval, ...]
    source: MembershipSource
    aliases: tuple[str, ...] = ()
    former_logins: tuple[str, ...] = ()

    @property
    def current_logins(self) -> tuple[str, ...]:
        """The logins GitHub knows today: the ones the sync follows."""
        return (self.login, *self.aliases)

    @property
    def logins(self) -> tuple[str, ...]:
        return (*self.current_logins, *self.former_logins)


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
    accounts: Iterable[MemberAccount],
    roster: Iterable[RosterEntry],
    exclude: Iterable[str] = (),
) -> list[Person]:
    """Everyone ever observed as a member, plus roster people, minus excluded logins and bots.

    An observed member counts within their observed intervals. The roster wins: an entry's
    `since`/`until` replace the observed intervals of the member of the same login (an entry
    without dates counts the whole history), and an account that is a roster person's alias is
    folded into that person, not counted twice.
    """
    excluded = {login.lower() for login in exclude}
    roster_by_login = {entry.login.lower(): entry for entry in roster}
    owner_of = {alias.lower(): key for key, entry in roster_by_login.items() for alias in entry.aliases}
    owner_of.update({key: key for key in roster_by_login})
    people: dict[str, Person] = {}
    folded: dict[str, list[MemberAccount]] = {}
    for account in accounts:
        logins = [login.lower() for login in (account.login, *account.former_logins)]
        if is_bot(account.login, account.user_type) or excluded & set(logins):
            continue
        owner = next((owner_of[login] for login in logins if login in owner_of), None)
        if owner is not None:
            folded.setdefault(owner, []).append(account)
        else:
            _add_observed(people, account)
    for key, entry in roster_by_login.items():
        if key in excluded or is_bot(entry.login):
            continue
        people[key] = _roster_person(entry, folded.get(key, []))
    return sorted(_without_taken_former_logins(people.values()), key=lambda person: person.login.lower())


def _add_observed(people: dict[str, Person], account: MemberAccount) -> None:
    """An observed member; two accounts that had the same login (GitHub gives a freed login
    away) are one login to count, member in either's intervals."""
    key = account.login.lower()
    known = people.get(key)
    people[key] = Person(
        login=account.login,
        name=None,
        team=None,
        public=True,
        membership=account.intervals + (known.membership if known else ()),
        source=MembershipSource.OBSERVED,
        former_logins=account.former_logins + (known.former_logins if known else ()),
    )


def _roster_person(entry: RosterEntry, accounts: Iterable[MemberAccount]) -> Person:
    """The roster's person, with the logins of the member accounts that are theirs."""
    aliases = [alias for alias in entry.aliases if not is_bot(alias)]
    former: list[str] = []
    for account in accounts:
        aliases.append(account.login)
        former.extend(account.former_logins)
    own = {entry.login.lower()}
    aliases = _distinct(aliases, own)
    has_dates = entry.since is not None or entry.until is not None
    membership = (Interval(start_of_day(entry.since), start_of_day(entry.until)),)
    return Person(
        login=entry.login,
        name=entry.name,
        team=entry.team,
        public=entry.public,
        membership=membership if has_dates else WHOLE_HISTORY,
        source=MembershipSource.ROSTER,
        aliases=tuple(aliases),
        former_logins=tuple(_distinct(former, own | {alias.lower() for alias in aliases})),
    )


def _distinct(logins: Iterable[str], taken: set[str]) -> list[str]:
    """The logins in order, each once (case-insensitively), without those already taken."""
    seen = set(taken)
    kept = []
    for login in logins:
        if login.lower() not in seen:
            seen.add(login.lower())
            kept.append(login)
    return kept


def _without_taken_former_logins(people: Iterable[Person]) -> list[Person]:
    """A former login that is someone's login today (GitHub gives freed logins away) is theirs."""
    everyone = list(people)
    current = {login.lower() for person in everyone for login in person.current_logins}
    return [
        replace(person, former_logins=tuple(_distinct(person.former_logins, current))) for person in everyone
    ]


@dataclass(frozen=True, slots=True)
class UncountedMember:
    """A member of the organization whose work counts for nobody."""

    login: str
    reason: Literal["bot", "excluded", "alias"]


def uncounted_members(
    accounts: Iterable[MemberAccount], people: Iterable[Person], exclude: Iterable[str] = ()
) -> list[UncountedMember]:
    """Today's members that are none of `people` (what `build_people` made of them), and why.

    A member is a bot, or excluded, or else the alias of a roster entry that does not count
    itself; an alias of someone who counts is that person, and is not listed.
    """
    counted = people_by_login(people)
    excluded = {login.lower() for login in exclude}
    return [
        UncountedMember(account.login, _why_not_counted(account, excluded))
        for account in accounts
        if account.is_member and account.login.lower() not in counted
    ]


def _why_not_counted(account: MemberAccount, excluded: set[str]) -> Literal["bot", "excluded", "alias"]:
    if is_bot(account.login, account.user_type):
        return "bot"
    logins = {login.lower() for login in (account.login, *account.former_logins)}
    return "excluded" if logins & excluded else "alias"


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
    """Inside one of the person's membership intervals: work before joining or after leaving does
    not count."""
    return is_member_at(person.membership, moment)


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
