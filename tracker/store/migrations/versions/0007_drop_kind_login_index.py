"""contribution: drop the (kind, login, repo_key, occurred_at) index

First merges have their own table since 0005, and the digest's merged PRs of a week are found
through the occurred_at index: the index only cost every write its upkeep.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_contribution_kind_login_repo_key_occurred_at"


def upgrade() -> None:
    op.drop_index(INDEX, table_name="contribution")


def downgrade() -> None:
    op.create_index(INDEX, "contribution", ["kind", "login", "repo_key", "occurred_at"])
