"""Repos: one row per repo, known by GitHub's id and by every name it has had, with GitHub's
metadata of it and the license changes seen between fetches.

A repo's row never changes its key: a rename or a transfer only changes its `full_name` and
adds a name that leads to it, so the contributions that point to it are not rewritten. Two
rows found to be one repo (kept apart before GitHub's ids were stored) become one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain import RepoRecord
from tracker.store.tables import (
    ContributionRow,
    FirstMergeRow,
    LicenseChangeRow,
    RepoNameRow,
    RepoRow,
)
from tracker.store.text import storable, storable_or_none

_REPO: sa.Table = RepoRow.__table__  # type: ignore[attr-defined]
_REPO_NAME: sa.Table = RepoNameRow.__table__  # type: ignore[attr-defined]
_CONTRIBUTION: sa.Table = ContributionRow.__table__  # type: ignore[attr-defined]
_FIRST_MERGE: sa.Table = FirstMergeRow.__table__  # type: ignore[attr-defined]
_LICENSE_CHANGE: sa.Table = LicenseChangeRow.__table__  # type: ignore[attr-defined]


def upsert_repo(session: Session, record: RepoRecord, *, key: str | None = None) -> RepoRecord | None:
    """Store what GitHub answered when asked for the repo named `key` (by default the record's
    own name); returns what was stored of that repo before (None when it is new).

    GitHub answers a renamed repo's old name with the repo under its new name (through a 301):
    both names then lead to the same row, found by GitHub's id whichever name comes first.
    A 404 (a record that does not exist) marks the repo the name leads to, keeping its name.
    """
    asked = key or record.full_name
    row = _row_for(session, record, asked)
    before = _to_repo_record(session, row) if row is not None else None
    if row is None:
        row = RepoRow(
            key=_free_key(session, asked, record.github_id), full_name=asked, fetched_at=record.fetched_at
        )
        session.add(row)
    if record.exists:
        _take_names(session, row, (asked, record.full_name))
        row.full_name = record.full_name
        row.github_id = record.github_id if record.github_id is not None else row.github_id
        row.missing_warned = False
    else:
        _take_names(session, row, (asked,) if before is None else ())
    _copy_metadata(row, record)
    session.add(row)
    if before is not None and before.exists and record.exists and _license_changed(before, record):
        session.add(
            LicenseChangeRow(
                repo_key=row.key,
                full_name=record.full_name,
                old_license=before.license_spdx,
                new_license=record.license_spdx,
                seen_at=record.fetched_at,
            )
        )
    # The bulk contribution paths read names through the connection: they must see these rows.
    session.flush()
    return before


def _row_for(session: Session, record: RepoRecord, asked: str) -> RepoRow | None:
    """The row of the repo GitHub answered with: found by its id, else by the name asked
    (unless that name led to another repo GitHub knows by a different id: the name was taken again)."""
    if record.github_id is not None:
        by_id = session.exec(select(RepoRow).where(RepoRow.github_id == record.github_id)).first()
        if by_id is not None:
            return by_id
    named = _row_named(session, asked)
    if named is None or (record.exists and named.github_id not in (None, record.github_id)):
        return None
    return named


def _take_names(session: Session, row: RepoRow, names: tuple[str, ...]) -> None:
    """Make each name lead to `row`. A row the name led to that has no GitHub id is the same
    repo stored twice (before ids were kept, under its old and its new name): it joins `row`."""
    session.flush()
    for name in names:
        other = _row_named(session, name)
        if other is not None and other.key != row.key and other.github_id is None:
            _absorb(session, keep=row, drop=other)
        alias = session.get(RepoNameRow, name.lower())
        if alias is None:
            alias = RepoNameRow(name_key=name.lower(), name=name, repo_key=row.key)
        alias.name, alias.repo_key = name, row.key
        session.add(alias)
    session.flush()


def _absorb(session: Session, *, keep: RepoRow, drop: RepoRow) -> None:
    """Move everything of `drop` to `keep` (one repo stored under two rows), then delete `drop`:
    its contributions, its names, its license changes, and its people's first merges (the
    earlier of the two kept)."""
    for alias in session.exec(select(RepoNameRow).where(RepoNameRow.repo_key == drop.key)):
        alias.repo_key = keep.key
        session.add(alias)
    session.delete(drop)
    session.flush()
    connection = session.connection()
    for table in (_CONTRIBUTION, _LICENSE_CHANGE):
        connection.execute(table.update().where(table.c.repo_key == drop.key).values(repo_key=keep.key))
    for statement in _FIRST_MERGE_ABSORB:
        connection.execute(sa.text(statement), {"keep": keep.key, "drop": drop.key})


# A person's first merge in the repo is the earlier of the two rows' (ties: the smaller id).
_FIRST_MERGE_ABSORB = (
    "DELETE FROM first_merge WHERE repo_key = :drop AND EXISTS (SELECT 1 FROM first_merge k "
    "WHERE k.repo_key = :keep AND k.login = first_merge.login AND (k.occurred_at < first_merge.occurred_at "
    "OR (k.occurred_at = first_merge.occurred_at AND k.github_id <= first_merge.github_id)))",
    "DELETE FROM first_merge WHERE repo_key = :keep AND EXISTS (SELECT 1 FROM first_merge d "
    "WHERE d.repo_key = :drop AND d.login = first_merge.login)",
    "UPDATE first_merge SET repo_key = :keep WHERE repo_key = :drop",
)


def _row_named(session: Session, name: str) -> RepoRow | None:
    alias = session.get(RepoNameRow, name.lower())
    return session.get(RepoRow, alias.repo_key) if alias is not None else None


def _free_key(session: Session, name: str, github_id: int | None) -> str:
    """A new row's key: its name, or, when a row (of a repo since renamed) has that key, with the id."""
    key = name.lower()
    if session.get(RepoRow, key) is None:
        return key
    return f"{key}#{github_id if github_id is not None else 'missing'}"


def _copy_metadata(row: RepoRow, record: RepoRecord) -> None:
    row.exists = record.exists
    row.private = record.private
    row.fork = record.fork
    row.archived = record.archived
    row.stars = record.stars
    row.topics = json.dumps([storable(topic) for topic in record.topics])
    row.description = storable_or_none(record.description)
    row.license_spdx = record.license_spdx
    row.has_license = record.has_license
    row.html_url = storable_or_none(record.html_url)
    row.fetched_at = record.fetched_at


def _license_changed(before: RepoRecord, after: RepoRecord) -> bool:
    old = (before.license_spdx or "").lower() if before.has_license else None
    new = (after.license_spdx or "").lower() if after.has_license else None
    return old != new


def get_repo(session: Session, full_name: str) -> RepoRecord | None:
    """The repo the name leads to, whether it is its current name or a former one."""
    row = _row_named(session, full_name)
    return _to_repo_record(session, row) if row is not None else None


class RepoIdentity(NamedTuple):
    """Who a stored repo is, without its metadata: cheap enough to ask for every event."""

    full_name: str
    github_id: int | None
    exists: bool
    fetched_at: datetime


def identify_repo(session: Session, name: str) -> RepoIdentity | None:
    """The repo `name` leads to (its rows stay in the session: asking again costs no query)."""
    row = _row_named(session, name)
    return _identity(row) if row is not None else None


def identify_repo_by_github_id(session: Session, github_id: int) -> RepoIdentity | None:
    row = session.exec(select(RepoRow).where(RepoRow.github_id == github_id)).first()
    return _identity(row) if row is not None else None


def _identity(row: RepoRow) -> RepoIdentity:
    return RepoIdentity(row.full_name, row.github_id, row.exists, row.fetched_at)


def claim_missing_warning(session: Session, full_name: str) -> bool:
    """Whether the warning that the repo does not exist is still to give (true once, until the
    repo is seen again); the answer is stored."""
    row = _row_named(session, full_name)
    if row is None or row.exists or row.missing_warned:
        return False
    row.missing_warned = True
    session.add(row)
    return True


def list_repos(session: Session) -> list[RepoRecord]:
    """Every stored repo once, under its current name, in name order."""
    records = [record for _, record in _repos_with_names(session)]
    return sorted(records, key=lambda record: (record.full_name.lower(), record.full_name))


def list_repo_keys(session: Session) -> dict[str, RepoRecord]:
    """Every stored repo by each lower-cased name it is known by (current and former), in name order."""
    by_name = {name: record for names, record in _repos_with_names(session) for name in names}
    return dict(sorted(by_name.items()))


def _repos_with_names(session: Session) -> list[tuple[list[str], RepoRecord]]:
    """Each repo with the lower-cased names that lead to it.

    Read as plain rows: every command loads all repos, and ORM objects cost more than the query.
    """
    connection = session.connection()
    statement = sa.select(_REPO.c.key, *(_REPO.c[name] for name in _REPO_RECORD_COLUMNS))
    values = {key: rest for key, *rest in connection.execute(statement)}
    names: dict[str, list[tuple[str, str]]] = {key: [] for key in values}
    aliases = sa.select(_REPO_NAME.c.repo_key, _REPO_NAME.c.name_key, _REPO_NAME.c.name)
    for repo_key, name_key, name in connection.execute(aliases):
        names.setdefault(repo_key, []).append((name_key, name))
    return [
        (
            [name_key for name_key, _ in names[key]] or [key],
            _record_from_values(*rest, former_names=_former(rest[0], names[key])),
        )
        for key, rest in values.items()
    ]


def _former(full_name: str, names: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(sorted(name for name_key, name in names if name_key != full_name.lower()))


def repo_keys_by_name(connection: sa.Connection, names: Iterable[str] | None = None) -> dict[str, str]:
    """Each lower-cased name a stored repo is known by (of `names`, when given), to its row's key."""
    statement = sa.select(_REPO_NAME.c.name_key, _REPO_NAME.c.repo_key)
    if names is not None:
        statement = statement.where(_REPO_NAME.c.name_key.in_(sorted(names)))
    return {name_key: repo_key for name_key, repo_key in connection.execute(statement)}


def current_names(connection: sa.Connection) -> dict[str, str]:
    """Each stored repo's key to its current full name."""
    return dict(connection.execute(sa.select(_REPO.c.key, _REPO.c.full_name)).all())


def _to_repo_record(session: Session, row: RepoRow) -> RepoRecord:
    names = session.exec(select(RepoNameRow).where(RepoNameRow.repo_key == row.key)).all()
    former = _former(row.full_name, [(alias.name_key, alias.name) for alias in names])
    return _record_from_values(*(getattr(row, name) for name in _REPO_RECORD_COLUMNS), former_names=former)


_REPO_RECORD_COLUMNS = (
    "full_name",
    "exists",
    "private",
    "fork",
    "archived",
    "stars",
    "topics",
    "description",
    "license_spdx",
    "has_license",
    "html_url",
    "fetched_at",
    "github_id",
)


def _record_from_values(
    full_name: str,
    exists: bool,
    private: bool,
    fork: bool,
    archived: bool,
    stars: int,
    topics: str,
    description: str | None,
    license_spdx: str | None,
    has_license: bool,
    html_url: str | None,
    fetched_at: datetime,
    github_id: int | None,
    *,
    former_names: tuple[str, ...],
) -> RepoRecord:
    return RepoRecord(
        full_name=full_name,
        exists=bool(exists),
        private=bool(private),
        fork=bool(fork),
        archived=bool(archived),
        stars=stars,
        topics=tuple(json.loads(topics)),
        description=description,
        license_spdx=license_spdx,
        has_license=bool(has_license),
        html_url=html_url,
        fetched_at=fetched_at,
        github_id=github_id,
        former_names=former_names,
    )


def list_license_changes(session: Session) -> list[LicenseChangeRow]:
    return list(session.exec(select(LicenseChangeRow).order_by(col(LicenseChangeRow.seen_at).desc())))
