"""membership over time: accounts, their intervals and the listings replace org_member

Every current org_member becomes an account that has been a member since the beginning of
history, and the last sync's listing becomes the last applied one: nothing already counted
changes on upgrade, and the next listing is compared with it.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("login_key", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("user_type", sa.String(length=32), nullable=False),
        sa.Column("former_logins", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", name="uq_member_account_user_id"),
    )
    op.create_index("ix_member_account_login_key", "member_account", ["login_key"])
    op.create_table(
        "member_interval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["member_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_member_interval_account_id", "member_interval", ["account_id"])
    op.create_table(
        "member_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("previous", sa.Integer(), nullable=False),
        sa.Column("dropped", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO member_account (login_key, login, user_type, former_logins) "
        "SELECT login_key, login, user_type, '[]' FROM org_member"
    )
    op.execute(
        "INSERT INTO member_interval (account_id, starts_at, ends_at) "
        "SELECT id, NULL, NULL FROM member_account"
    )
    op.execute(
        "INSERT INTO member_listing (started_at, status, members, previous, dropped) "
        "SELECT last_seen, 'applied', members, 0, 0 "
        "FROM (SELECT MAX(seen_at) AS last_seen, COUNT(*) AS members FROM org_member) listed "
        "WHERE members > 0"
    )
    op.drop_table("org_member")


def downgrade() -> None:
    op.create_table(
        "org_member",
        sa.Column("login_key", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("user_type", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("login_key"),
    )
    # The members of today: accounts with an open interval, as of the last applied listing.
    op.execute(
        """
        INSERT INTO org_member (login_key, login, user_type, seen_at)
        SELECT a.login_key, MIN(a.login), MIN(a.user_type),
               COALESCE(
                   (SELECT MAX(started_at) FROM member_listing WHERE status <> 'suspect'), CURRENT_TIMESTAMP
               )
        FROM member_account a JOIN member_interval i ON i.account_id = a.id
        WHERE i.ends_at IS NULL
        GROUP BY a.login_key
        """
    )
    op.drop_table("member_listing")
    op.drop_index("ix_member_interval_account_id", table_name="member_interval")
    op.drop_table("member_interval")
    op.drop_index("ix_member_account_login_key", table_name="member_account")
    op.drop_table("member_account")
