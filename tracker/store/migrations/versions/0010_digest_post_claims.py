"""digest_post: a digest is claimed before it is posted, and its outcome may be unknown

`status` is claimed, posted or unknown (rows so far were all posted); `claimed_at` is when the
first attempt began (so far, when it was posted); `posted_at` stays empty until Slack accepts it.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_post") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="posted"))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE digest_post SET claimed_at = posted_at")
    with op.batch_alter_table("digest_post") as batch:
        batch.alter_column("status", existing_type=sa.String(length=16), server_default=None)
        batch.alter_column("claimed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("posted_at", existing_type=sa.DateTime(timezone=True), nullable=True)


def downgrade() -> None:
    # A claim or an unknown outcome may be in the channel: kept as posted, it is not posted again.
    op.execute("UPDATE digest_post SET posted_at = claimed_at WHERE posted_at IS NULL")
    with op.batch_alter_table("digest_post") as batch:
        batch.alter_column("posted_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.drop_column("claimed_at")
        batch.drop_column("status")
