"""The one path from the store to every number the tool prints (query, stats, digest).

It loads the people and repos the store knows, lets the counting rules decide, and
applies them to the stored contributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from tracker.config import Settings
from tracker.domain import CountedContribution, Kind, RepoRecord
from tracker.openness import NO_ASSERTION, classify_spdx_id
from tracker.rules import (
    CountingContext,
    Person,
    RepoDecision,
    build_people,
    count_contributions,
    decide_repo,
    facts_of,
    people_by_login,
)
from tracker.store import repository as store


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
    return build_people(store.list_org_members(session), settings.roster, settings.exclude)


def load_repos(session: Session, settings: Settings) -> list[RepoView]:
    return [
        RepoView(record, decide_repo(settings.repo_rules, facts_of(record)))
        for record in store.list_repos(session)
    ]


def counting_context(session: Session, settings: Settings) -> CountingContext:
    people = load_people(session, settings)
    counted = frozenset(
        view.record.full_name.lower() for view in load_repos(session, settings) if view.decision.counts
    )
    counted_keys = counted | frozenset(
        key for key, record in store.list_repo_keys(session).items() if record.full_name.lower() in counted
    )
    return CountingContext(people_by_login=people_by_login(people), counted_repos=counted_keys)


def counted_contributions(
    session: Session, settings: Settings, where: QueryFilter, context: CountingContext | None = None
) -> list[CountedContribution]:
    """Counted contributions matching the filter, newest first."""
    context = context or counting_context(session, settings)
    logins = _logins_for(where, context)
    repos = frozenset({where.repo.lower()}) if where.repo else None
    prefilter = store.ContributionFilter(
        since=where.since, until=where.until, logins=logins, repos=repos, kinds=where.kinds
    )
    rows = store.list_contributions(session, where=prefilter)
    return list(count_contributions(rows, context))


def _logins_for(where: QueryFilter, context: CountingContext) -> frozenset[str]:
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
    for key, record in store.list_repo_keys(session).items():
        spdx = (record.license_spdx or NO_ASSERTION) if record.has_license else None
        value = classify_spdx_id(spdx).value
        classes[key] = value
        classes[record.full_name.lower()] = value
    return classes
