"""Contributions: the bulk upsert (COPY on PostgreSQL), the reads the counting rules work from,
and each person's first merge per repo (kept by the upsert).

A contribution points to its repo's row, whichever of the repo's names it arrived under (an
event keeps the name the repo had then), and is read under the repo's current name: a rename
changes the repo's row and nothing here. Names given to filter on lead to their repo the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from tracker.domain import Contribution, Kind
from tracker.store.repos import current_names, repo_keys_by_name
from tracker.store.tables import ContributionRow, FirstMergeRow
from tracker.store.text import storable

UPSERT_BATCH = 5000


@dataclass(frozen=True, slots=True)
class UpsertResult:
    new: int = 0
    updated: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(self.new + other.new, self.updated + other.updated)


@dataclass(frozen=True, slots=True)
class ContributionFilter:
    """A superset pre-filter; the counting rules decide the rest."""

    since: datetime | None = None
    until: datetime | None = None
    logins: frozenset[str] | None = None
    repos: frozenset[str] | None = None
    kinds: frozenset[Kind] | None = None


_CONTRIBUTION: sa.Table = ContributionRow.__table__  # type: ignore[attr-defined]
_FIRST_MERGE: sa.Table = FirstMergeRow.__table__  # type: ignore[attr-defined]

# The stored columns of a contribution, in the order of the tuples the upsert works with.
_COLUMNS = (
    "kind",
    "github_id",
    "login",
    "repo",
    "repo_key",
    "number",
    "title",
    "url",
    "occurred_at",
    "subject_author",
    "first_seen_at",
    "updated_at",
)
_MUTABLE_FIELDS = ("login", "repo", "repo_key", "number", "title", "url", "occurred_at", "subject_author")
_MUTABLE = tuple(_COLUMNS.index(name) for name in _MUTABLE_FIELDS)
_KIND, _GITHUB_ID, _LOGIN, _REPO, _REPO_KEY, _OCCURRED_AT = (
    _COLUMNS.index(name) for name in ("kind", "github_id", "login", "repo", "repo_key", "occurred_at")
)
_STORED_REPO = _MUTABLE_FIELDS.index("repo")
_UPDATED_AT = _COLUMNS.index("updated_at")

Row = tuple[object, ...]
Key = tuple[str, int]


def _sqlite_time(moment: datetime) -> str:
    """What SQLAlchemy's SQLite DateTime stores (naive UTC, microseconds), made without its
    per-value type processing, which cost more than the insert itself."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _postgres_time(moment: datetime) -> datetime:
    return moment


def _stored_time_for(dialect: str) -> Callable[[datetime], object]:
    """Timestamps in the form the driver reads them back, so stored and incoming rows compare."""
    return _sqlite_time if dialect == "sqlite" else _postgres_time


def _stored_row(contribution: Contribution, stored_time: Callable[[datetime], object], now: object) -> Row:
    """The row to store; its `repo_key` is the lower-cased name until `_pointing_to_repos`."""
    author = contribution.subject_author
    return (
        contribution.kind.value,
        contribution.github_id,
        contribution.login.lower(),
        contribution.repo,
        contribution.repo.lower(),
        contribution.number,
        storable(contribution.title),
        storable(contribution.url),
        stored_time(contribution.occurred_at),
        author.lower() if author else None,
        now,
        now,
    )


def upsert_contributions(
    session: Session, contributions: Iterable[Contribution], *, now: datetime
) -> UpsertResult:
    """Insert new contributions and refresh changed ones, by natural key (kind, github_id).

    Rows go to the driver in batches (COPY on PostgreSQL, executemany on SQLite): the ORM's
    per-row and per-value work would otherwise cost more than the database's. Each points to the
    row of the repo its name leads to (a name no stored repo has is kept as its own key).
    """
    connection = session.connection()
    stored_time = _stored_time_for(connection.dialect.name)
    stamp = stored_time(now)
    result = UpsertResult()
    batch: dict[Key, Row] = {}
    for contribution in contributions:
        batch[(contribution.kind.value, contribution.github_id)] = _stored_row(
            contribution, stored_time, stamp
        )
        if len(batch) >= UPSERT_BATCH:
            result += _upsert_batch(connection, batch)
            batch = {}
    if batch:
        result += _upsert_batch(connection, batch)
    return result


def _upsert_batch(connection: sa.Connection, batch: dict[Key, Row]) -> UpsertResult:
    batch = _pointing_to_repos(connection, batch)
    existing = _existing_rows(connection, batch.keys())
    fresh = [row for key, row in batch.items() if key not in existing]
    changes = _changes(batch, existing)
    if fresh and connection.dialect.name == "postgresql":
        _copy_into_postgres(connection, fresh)
    elif fresh:
        _insert_into_sqlite(connection, fresh)
    _record_first_merges(connection, [row for key, row in batch.items() if key[0] == Kind.PR_MERGED.value])
    if changes and connection.dialect.name == "postgresql":
        _update_from_copy(connection, [row for rows in changes.values() for row in rows])
    else:
        for fields, rows in changes.items():
            _update_fields(connection, fields, rows)
    return UpsertResult(new=len(fresh), updated=sum(len(rows) for rows in changes.values()))


def _pointing_to_repos(connection: sa.Connection, batch: dict[Key, Row]) -> dict[Key, Row]:
    """Each row with the key of the repo its name leads to (a name no stored repo has: itself)."""
    keys = repo_keys_by_name(connection, {str(row[_REPO_KEY]) for row in batch.values()})
    return {key: _with_repo_key(row, keys.get(str(row[_REPO_KEY]))) for key, row in batch.items()}


def _with_repo_key(row: Row, repo_key: str | None) -> Row:
    if repo_key is None or repo_key == row[_REPO_KEY]:
        return row
    return (*row[:_REPO_KEY], repo_key, *row[_REPO_KEY + 1 :])


def _changes(batch: dict[Key, Row], existing: dict[Key, Row]) -> dict[tuple[int, ...], list[Row]]:
    """Changed rows, by the positions of the fields that changed (an edit is mostly its title):
    each UPDATE then sets only those, and SQLite rewrites only the indexes on them."""
    changes: dict[tuple[int, ...], list[Row]] = {}
    for key, row in batch.items():
        stored = existing.get(key)
        if stored is None:
            continue
        row = _keeping_its_stored_name(row, stored)
        fields = tuple(
            position for position, old in zip(_MUTABLE, stored, strict=True) if old != row[position]
        )
        if fields:
            changes.setdefault(fields, []).append(row)
    return changes


def _keeping_its_stored_name(row: Row, stored: Row) -> Row:
    """The row with the name it was stored under while its repo is the same: a repo's other
    name (an event's old one) changes nothing, and the repo's current name is read from its row."""
    if row[_REPO_KEY] != stored[_MUTABLE.index(_REPO_KEY)]:
        return row
    return (*row[:_REPO], stored[_STORED_REPO], *row[_REPO + 1 :])


def _insert_into_sqlite(connection: sa.Connection, rows: list[Row]) -> None:
    columns = ", ".join(_COLUMNS)
    marks = ", ".join(_mark(connection) for _ in _COLUMNS)
    connection.exec_driver_sql(
        f"INSERT INTO contribution ({columns}) VALUES ({marks}) ON CONFLICT (github_id, kind) DO NOTHING",
        rows,
    )


def _copy_into_postgres(connection: sa.Connection, rows: list[Row]) -> None:
    """COPY into a session-private staging table, then one INSERT ... ON CONFLICT DO NOTHING:
    several times faster than row-by-row inserts, in the same transaction as everything else."""
    columns = ", ".join(_COLUMNS)
    _through_staging(
        connection,
        rows,
        f"INSERT INTO contribution ({columns}) SELECT {columns} FROM contribution_incoming "
        "ON CONFLICT (github_id, kind) DO NOTHING",
    )


def _update_from_copy(connection: sa.Connection, rows: list[Row]) -> None:
    """Changed rows through the staging table and one UPDATE ... FROM (PostgreSQL): executemany
    would send one statement per row."""
    assignments = ", ".join(f"{name} = incoming.{name}" for name in (*_MUTABLE_FIELDS, "updated_at"))
    _through_staging(
        connection,
        rows,
        f"UPDATE contribution SET {assignments} FROM contribution_incoming AS incoming "
        "WHERE contribution.github_id = incoming.github_id AND contribution.kind = incoming.kind",
    )


def _through_staging(connection: sa.Connection, rows: list[Row], statement: str) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS contribution_incoming "
            "(LIKE contribution INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(f"COPY contribution_incoming ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(statement)
        cursor.execute("DELETE FROM contribution_incoming")


def _update_fields(connection: sa.Connection, fields: tuple[int, ...], rows: list[Row]) -> None:
    mark = _mark(connection)
    assignments = ", ".join(f"{_COLUMNS[position]} = {mark}" for position in (*fields, _UPDATED_AT))
    statement = f"UPDATE contribution SET {assignments} WHERE github_id = {mark} AND kind = {mark}"
    connection.exec_driver_sql(
        statement,
        [
            (*(row[position] for position in (*fields, _UPDATED_AT)), row[_GITHUB_ID], row[_KIND])
            for row in rows
        ],
    )


def _mark(connection: sa.Connection) -> str:
    """The driver's positional placeholder, for statements sent with exec_driver_sql."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _existing_rows(connection: sa.Connection, keys: Iterable[Key]) -> dict[Key, Row]:
    """The mutable fields of the stored rows among `keys`, as the driver returns them."""
    wanted = set(keys)
    table = _CONTRIBUTION
    raw = sa.types.NullType()
    columns = [
        table.c.kind,
        table.c.github_id,
        *(sa.type_coerce(table.c[name], raw) for name in _MUTABLE_FIELDS),
    ]
    ids = sorted({github_id for _, github_id in wanted})
    rows = connection.execute(sa.select(*columns).where(_among(connection, table.c.github_id, ids)))
    found: dict[Key, Row] = {(kind, github_id): tuple(rest) for kind, github_id, *rest in rows}
    return {key: row for key, row in found.items() if key in wanted}


def _among(connection: sa.Connection, column: sa.Column[int], ids: list[int]) -> sa.ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL as one array parameter instead of thousands of bound values."""
    if connection.dialect.name == "postgresql":
        # Imported here: a SQLite command (most `query` runs) would pay 60 ms for the dialect.
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.literal(ids, ARRAY(sa.BigInteger)))
    return column.in_(ids)


def _who_where_what(
    connection: sa.Connection, statement: sa.Select[Any], where: ContributionFilter
) -> sa.Select[Any]:
    """The filter's logins, repos and kinds as conditions (its time range is the caller's)."""
    table = _CONTRIBUTION
    if where.logins is not None:
        statement = statement.where(table.c.login.in_(sorted(where.logins)))
    if where.repos is not None:
        statement = statement.where(table.c.repo_key.in_(sorted(_repo_keys(connection, where.repos))))
    if where.kinds is not None:
        statement = statement.where(table.c.kind.in_(sorted(kind.value for kind in where.kinds)))
    return statement


def _repo_keys(connection: sa.Connection, names: Iterable[str]) -> set[str]:
    """The keys of the repos these lower-cased names lead to (a name no stored repo has: itself)."""
    keys = repo_keys_by_name(connection)
    return {keys.get(name, name) for name in names}


_READ_COLUMNS = (
    "kind",
    "github_id",
    "login",
    "repo",
    "repo_key",
    "number",
    "title",
    "url",
    "occurred_at",
    "subject_author",
)


def list_contributions(session: Session, *, where: ContributionFilter) -> Iterator[Contribution]:
    """Contributions matching the pre-filter, newest first, streamed (plain rows, no ORM objects),
    each under its repo's current name."""
    table = _CONTRIBUTION
    connection = session.connection()
    statement = sa.select(*(table.c[name] for name in _READ_COLUMNS))
    if where.since is not None:
        statement = statement.where(table.c.occurred_at >= where.since)
    if where.until is not None:
        statement = statement.where(table.c.occurred_at < where.until)
    statement = _who_where_what(connection, statement, where).order_by(
        table.c.occurred_at.desc(), table.c.id.desc()
    )
    kinds = {kind.value: kind for kind in Kind}
    names = current_names(connection)
    result = connection.execute(statement.execution_options(yield_per=5000))
    for kind, github_id, login, repo, repo_key, number, title, url, occurred_at, subject_author in result:
        yield Contribution(
            kinds[kind],
            github_id,
            login,
            names.get(repo_key, repo),
            number,
            title,
            url,
            occurred_at,
            subject_author,
        )


class ContributionGroup(NamedTuple):
    """Stored contributions alike in everything the counting rules look at, within one time bucket."""

    bucket: int
    kind: Kind
    login: str
    repo: str
    subject_author: str | None
    total: int


def group_contributions(
    session: Session, *, where: ContributionFilter, edges: Sequence[datetime]
) -> Iterator[ContributionGroup]:
    """Counts of contributions in [edges[0], edges[-1]), bucket i being [edges[i], edges[i+1]).

    Grouped by kind, login, repo and (for reviews) the PR's author: every input of the
    counting rules except the time, which the buckets bound. A repo is named by its current name.
    """
    table = _CONTRIBUTION
    connection = session.connection()
    bucket = _bucket_of(table.c.occurred_at, list(edges[1:-1]), 0).label("bucket")
    author = sa.case((table.c.kind == Kind.REVIEW.value, table.c.subject_author), else_=None).label("author")
    statement = (
        sa.select(
            bucket,
            table.c.kind,
            table.c.login,
            table.c.repo_key,
            sa.func.min(table.c.repo),
            author,
            sa.func.count(),
        )
        .where(table.c.occurred_at >= edges[0], table.c.occurred_at < edges[-1])
        .group_by(bucket, table.c.kind, table.c.login, table.c.repo_key, author)
    )
    statement = _who_where_what(connection, statement, where)
    kinds = {kind.value: kind for kind in Kind}
    names = current_names(connection)
    for index, kind, login, repo_key, repo, subject_author, count in connection.execute(statement):
        yield ContributionGroup(index, kinds[kind], login, names.get(repo_key, repo), subject_author, count)


def _bucket_of(moment: sa.Column[datetime], inner: list[datetime], first: int) -> sa.ColumnElement[int]:
    """The number of `inner` edges at or before `moment`, plus `first`, as nested CASEs halving the
    edges: a row meets about log2(n) comparisons, not n (the counting path refines its buckets
    with every membership boundary, hundreds in a large organization)."""
    if not inner:
        return sa.literal(first)
    middle = len(inner) // 2
    return sa.case(
        (moment < inner[middle], _bucket_of(moment, inner[:middle], first)),
        else_=_bucket_of(moment, inner[middle + 1 :], first + middle + 1),
    )


def stored_time_range(session: Session) -> tuple[datetime, datetime] | None:
    table = _CONTRIBUTION
    row = (
        session.connection()
        .execute(sa.select(sa.func.min(table.c.occurred_at), sa.func.max(table.c.occurred_at)))
        .one()
    )
    return (row[0], row[1]) if row[0] is not None else None


def count_stored_contributions(session: Session) -> int:
    return session.exec(select(sa.func.count()).select_from(ContributionRow)).one()


_FIRST_MERGE_COLUMNS = ("login", "repo_key", "repo", "github_id", "occurred_at")
_FIRST_MERGE_FROM_ROW = tuple(_COLUMNS.index(name) for name in _FIRST_MERGE_COLUMNS)


def _record_first_merges(connection: sa.Connection, merges: list[Row]) -> None:
    """Keep, per (login, repo), the earliest merge: an insert, or an update when this one is earlier."""
    earliest: dict[tuple[object, object], Row] = {}
    for merge in sorted(merges, key=lambda row: (row[_OCCURRED_AT], row[_GITHUB_ID])):
        earliest.setdefault(
            (merge[_LOGIN], merge[_REPO_KEY]), tuple(merge[position] for position in _FIRST_MERGE_FROM_ROW)
        )
    if not earliest:
        return
    mark = _mark(connection)
    connection.exec_driver_sql(
        f"INSERT INTO first_merge ({', '.join(_FIRST_MERGE_COLUMNS)}) "
        f"VALUES ({', '.join(mark for _ in _FIRST_MERGE_COLUMNS)}) "
        "ON CONFLICT (login, repo_key) DO UPDATE SET "
        "repo = excluded.repo, github_id = excluded.github_id, occurred_at = excluded.occurred_at "
        "WHERE excluded.occurred_at < first_merge.occurred_at OR "
        "(excluded.occurred_at = first_merge.occurred_at AND excluded.github_id < first_merge.github_id)",
        list(earliest.values()),
    )


def first_merge_per_person_repo(
    session: Session, *, logins: Iterable[str], repos: Iterable[str]
) -> list[Contribution]:
    """The earliest stored pr_merged of each (login, repo) among these, oldest first (first
    contributions); repos are given by any of their names and named by their current one."""
    table = _FIRST_MERGE
    connection = session.connection()
    statement = (
        sa.select(table.c.github_id, table.c.login, table.c.repo_key, table.c.repo, table.c.occurred_at)
        .where(table.c.login.in_(sorted({login.lower() for login in logins})))
        .where(table.c.repo_key.in_(sorted(_repo_keys(connection, {repo.lower() for repo in repos}))))
        .order_by(table.c.occurred_at, table.c.github_id)
    )
    names = current_names(connection)
    return [
        Contribution(Kind.PR_MERGED, github_id, login, names.get(repo_key, repo), 0, "", "", occurred_at)
        for github_id, login, repo_key, repo, occurred_at in connection.execute(statement)
    ]
