"""login_cursor: drop last_event_id, which nothing ever wrote or read

Events are polled with the cursor's ETag and a time window; the newest event's id was never used.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_cursor") as batch:
        batch.drop_column("last_event_id")


def downgrade() -> None:
    with op.batch_alter_table("login_cursor") as batch:
        batch.add_column(sa.Column("last_event_id", sa.BigInteger(), nullable=True))
