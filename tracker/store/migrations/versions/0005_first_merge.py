"""first_merge: the earliest merged PR per (login, repo), filled from the stored history

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "first_merge",
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("repo_key", sa.String(length=200), nullable=False),
        sa.Column("repo", sa.String(length=200), nullable=False),
        sa.Column("github_id", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("login", "repo_key"),
    )
    op.execute(
        """
        INSERT INTO first_merge (login, repo_key, repo, github_id, occurred_at)
        SELECT c.login, c.repo_key, MIN(c.repo), MIN(c.github_id), c.occurred_at
        FROM contribution c
        JOIN (
            SELECT login, repo_key, MIN(occurred_at) AS first_at
            FROM contribution WHERE kind = 'pr_merged' GROUP BY login, repo_key
        ) f ON c.login = f.login AND c.repo_key = f.repo_key AND c.occurred_at = f.first_at
        WHERE c.kind = 'pr_merged'
        GROUP BY c.login, c.repo_key, c.occurred_at
        """
    )


def downgrade() -> None:
    op.drop_table("first_merge")
