"""repo identity: one row per repo, reached by every name it has had (repo_name)

Until now a repo had a row per name it was asked under: a renamed repo had two (the old name's,
whose `full_name` GitHub's 301 had already updated, and the new name's), and its contributions
were split between them. Rows that are one repo (the same `full_name`, the same GitHub id, or
one's current name being another's key) become the row fetched last; the other rows' names
lead to it, and their contributions, license changes and first merges (the earlier one kept)
move to it. Contributions are not otherwise changed: no key holds a repo's name.

`missing_warned` remembers that the sync has said a repo does not exist.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Repo = tuple[str, str, int | None, datetime]  # key, full_name, github_id, fetched_at


def upgrade() -> None:
    op.create_table(
        "repo_name",
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("repo_key", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name_key"),
    )
    op.create_index("ix_repo_name_repo_key", "repo_name", ["repo_key"])
    with op.batch_alter_table("repo") as batch:
        batch.add_column(sa.Column("missing_warned", sa.Boolean(), nullable=False, server_default=sa.false()))
    connection = op.get_bind()
    rows: list[Repo] = [
        (key, full_name, github_id, fetched_at)
        for key, full_name, github_id, fetched_at in connection.execute(
            sa.text("SELECT key, full_name, github_id, fetched_at FROM repo")
        )
    ]
    for group in _one_repo_groups(rows):
        _merge(connection, group)
    with op.batch_alter_table("repo") as batch:
        batch.alter_column("missing_warned", existing_type=sa.Boolean(), server_default=None)
        batch.create_unique_constraint("uq_repo_github_id", ["github_id"])


def _one_repo_groups(rows: list[Repo]) -> list[list[Repo]]:
    """The rows that are one repo, grouped (union-find over their names and ids)."""
    parent = {row[0]: row[0] for row in rows}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(one: str, other: str) -> None:
        parent[root(one)] = root(other)

    first_by_mark: dict[object, str] = {}
    for key, full_name, github_id, _ in rows:
        for mark in (("name", full_name.lower()), ("id", github_id)):
            if mark[1] is None:
                continue
            if mark in first_by_mark:
                join(key, first_by_mark[mark])
            else:
                first_by_mark[mark] = key
    for key, full_name, _, _ in rows:
        if full_name.lower() in parent:
            join(key, full_name.lower())
    groups: dict[str, list[Repo]] = {}
    for row in rows:
        groups.setdefault(root(row[0]), []).append(row)
    return list(groups.values())


def _merge(connection: sa.Connection, group: list[Repo]) -> None:
    """The row fetched last stays (its metadata is GitHub's latest); every name of the group
    leads to it, and the others' rows are merged into it."""
    keep = max(group, key=lambda row: (_aware(row[3]), row[0]))
    github_id = (
        keep[2] if keep[2] is not None else next((row[2] for row in group if row[2] is not None), None)
    )
    names: dict[str, str] = {}
    for key, full_name, _, _ in sorted(group, key=lambda row: _aware(row[3])):
        names[key] = _display(connection, key, full_name)
        names[full_name.lower()] = full_name
    for name_key, name in sorted(names.items()):
        connection.execute(
            sa.text("INSERT INTO repo_name (name_key, name, repo_key) VALUES (:name_key, :name, :repo_key)"),
            {"name_key": name_key, "name": name, "repo_key": keep[0]},
        )
    for drop in (row for row in group if row[0] != keep[0]):
        moved = {"keep": keep[0], "drop": drop[0]}
        for statement in _MOVES:
            connection.execute(sa.text(statement), moved)
    connection.execute(
        sa.text("UPDATE repo SET github_id = :github_id WHERE key = :key"),
        {"github_id": github_id, "key": keep[0]},
    )


def _display(connection: sa.Connection, key: str, full_name: str) -> str:
    """A row's key (a lower-cased name) as it is written: its full name, or a contribution's."""
    if full_name.lower() == key:
        return full_name
    stored = connection.execute(
        sa.text("SELECT repo FROM contribution WHERE repo_key = :key LIMIT 1"), {"key": key}
    ).scalar()
    return stored if isinstance(stored, str) and stored.lower() == key else key


_MOVES = (
    "UPDATE contribution SET repo_key = :keep WHERE repo_key = :drop",
    "UPDATE license_change SET repo_key = :keep WHERE repo_key = :drop",
    # A person's first merge in the repo is the earlier of the two rows' (ties: the smaller id).
    "DELETE FROM first_merge WHERE repo_key = :drop AND EXISTS (SELECT 1 FROM first_merge k "
    "WHERE k.repo_key = :keep AND k.login = first_merge.login AND (k.occurred_at < first_merge.occurred_at "
    "OR (k.occurred_at = first_merge.occurred_at AND k.github_id <= first_merge.github_id)))",
    "DELETE FROM first_merge WHERE repo_key = :keep AND EXISTS (SELECT 1 FROM first_merge d "
    "WHERE d.repo_key = :drop AND d.login = first_merge.login)",
    "UPDATE first_merge SET repo_key = :keep WHERE repo_key = :drop",
    "DELETE FROM repo WHERE key = :drop",
)


def _aware(moment: datetime | str) -> str:
    """A sortable form of a stored time (SQLite hands back text, PostgreSQL aware datetimes)."""
    return moment if isinstance(moment, str) else moment.isoformat()


def downgrade() -> None:
    # The merged rows stay one row (under the key of the one kept); the names that led to it go.
    with op.batch_alter_table("repo") as batch:
        batch.drop_constraint("uq_repo_github_id", type_="unique")
        batch.drop_column("missing_warned")
    op.drop_index("ix_repo_name_repo_key", table_name="repo_name")
    op.drop_table("repo_name")
