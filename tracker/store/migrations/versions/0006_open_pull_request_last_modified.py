"""open_pull_request.last_modified: the PR's updated_at, for an If-Modified-Since first re-check

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("open_pull_request") as batch:
        batch.add_column(sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("open_pull_request") as batch:
        batch.drop_column("last_modified")
