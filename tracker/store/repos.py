"""Repos: GitHub's metadata of each repo, and the license changes seen between fetches."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain import RepoRecord
from tracker.store.tables import LicenseChangeRow, RepoRow
from tracker.store.text import storable, storable_or_none

_REPO: sa.Table = RepoRow.__table__  # type: ignore[attr-defined]


def _to_repo_record(row: RepoRow) -> RepoRecord:
    return _record_from_values(*(getattr(row, name) for name in _REPO_RECORD_COLUMNS))


def upsert_repo(session: Session, record: RepoRecord, *, key: str | None = None) -> RepoRecord | None:
    """Store a repo's metadata; returns what was stored before (None when it is new).

    `key` is the name the repo was asked for, when GitHub answered under another
    (renamed) name; both names then resolve to the same metadata.
    """
    row_key = (key or record.full_name).lower()
    row = session.get(RepoRow, row_key)
    before = _to_repo_record(row) if row is not None else None
    if row is None:
        row = RepoRow(key=row_key, full_name=record.full_name, fetched_at=record.fetched_at)
    row.full_name = record.full_name
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
    session.add(row)
    if before is not None and before.exists and record.exists and _license_changed(before, record):
        session.add(
            LicenseChangeRow(
                repo_key=row_key,
                full_name=record.full_name,
                old_license=before.license_spdx,
                new_license=record.license_spdx,
                seen_at=record.fetched_at,
            )
        )
    return before


def _license_changed(before: RepoRecord, after: RepoRecord) -> bool:
    old = (before.license_spdx or "").lower() if before.has_license else None
    new = (after.license_spdx or "").lower() if after.has_license else None
    return old != new


def get_repo(session: Session, full_name: str) -> RepoRecord | None:
    row = session.get(RepoRow, full_name.lower())
    return _to_repo_record(row) if row is not None else None


def list_repos(session: Session) -> list[RepoRecord]:
    return list(list_repo_keys(session).values())


def list_repo_keys(session: Session) -> dict[str, RepoRecord]:
    """Every stored repo by key (lower-cased name it was asked under), in key order.

    Read as plain rows: every command loads all repos, and ORM objects cost more than the query.
    """
    table = _REPO
    statement = sa.select(table.c.key, *(table.c[name] for name in _REPO_RECORD_COLUMNS)).order_by(
        table.c.key
    )
    return {key: _record_from_values(*values) for key, *values in session.connection().execute(statement)}


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
    )


def list_license_changes(session: Session) -> list[LicenseChangeRow]:
    return list(session.exec(select(LicenseChangeRow).order_by(col(LicenseChangeRow.seen_at).desc())))
