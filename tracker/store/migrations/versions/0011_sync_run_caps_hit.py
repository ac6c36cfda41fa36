"""sync_run.caps_hit: which caps (rate-limit wait, request deadline, answer size, pages of a
listing) stopped something in the run, so that `tracker doctor` can say so later

Runs recorded before are left empty (not known).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_run") as batch:
        batch.add_column(sa.Column("caps_hit", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_run") as batch:
        batch.drop_column("caps_hit")
