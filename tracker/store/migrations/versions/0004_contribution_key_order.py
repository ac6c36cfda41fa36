"""contribution: key (github_id, kind) so a batch of ids is found through the index;
an index for first merges per (login, repo)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contribution") as batch:
        batch.drop_constraint("uq_contribution_kind_github_id", type_="unique")
        batch.create_unique_constraint("uq_contribution_github_id_kind", ["github_id", "kind"])
        batch.create_index(
            "ix_contribution_kind_login_repo_key_occurred_at", ["kind", "login", "repo_key", "occurred_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("contribution") as batch:
        batch.drop_index("ix_contribution_kind_login_repo_key_occurred_at")
        batch.drop_constraint("uq_contribution_github_id_kind", type_="unique")
        batch.create_unique_constraint("uq_contribution_kind_github_id", ["kind", "github_id"])
