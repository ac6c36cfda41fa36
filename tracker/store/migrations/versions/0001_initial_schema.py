"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 16:15:54.144693

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""

    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("github_id", sa.BigInteger(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("repo", sa.String(length=200), nullable=False),
        sa.Column("repo_key", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject_author", sa.String(length=64), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "github_id", name="uq_contribution_kind_github_id"),
    )
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.create_index("ix_contribution_login_occurred_at", ["login", "occurred_at"], unique=False)
        batch_op.create_index("ix_contribution_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index(
            "ix_contribution_repo_key_occurred_at", ["repo_key", "occurred_at"], unique=False
        )

    op.create_table(
        "fetch_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=16), nullable=False),
        sa.Column("repo", sa.String(length=200), nullable=False),
        sa.Column("repo_key", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("subject_author", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("what", "repo_key", "number", name="uq_fetch_task"),
    )
    op.create_table(
        "http_cache",
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url"),
    )
    op.create_table(
        "license_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_key", sa.String(length=200), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("old_license", sa.String(length=100), nullable=True),
        sa.Column("new_license", sa.String(length=100), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("license_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_license_change_repo_key"), ["repo_key"], unique=False)

    op.create_table(
        "login_cursor",
        sa.Column("login_key", sa.String(length=64), nullable=False),
        sa.Column("complete_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("complete_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("events_etag", sa.String(), nullable=True),
        sa.Column("last_event_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("login_key"),
    )
    op.create_table(
        "open_pull_request",
        sa.Column("repo_key", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("repo", sa.String(length=200), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("repo_key", "number"),
    )
    op.create_table(
        "org_member",
        sa.Column("login_key", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("user_type", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("login_key"),
    )
    op.create_table(
        "repo",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("github_id", sa.BigInteger(), nullable=True),
        sa.Column("exists", sa.Boolean(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("fork", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("topics", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("license_spdx", sa.String(length=100), nullable=True),
        sa.Column("has_license", sa.Boolean(), nullable=False),
        sa.Column("html_url", sa.String(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("not_modified", sa.Integer(), nullable=False),
        sa.Column("waited_seconds", sa.Float(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    """Downgrade schema."""

    op.drop_table("sync_run")
    op.drop_table("state")
    op.drop_table("repo")
    op.drop_table("org_member")
    op.drop_table("open_pull_request")
    op.drop_table("login_cursor")
    with op.batch_alter_table("license_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_license_change_repo_key"))

    op.drop_table("license_change")
    op.drop_table("http_cache")
    op.drop_table("fetch_task")
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index("ix_contribution_repo_key_occurred_at")
        batch_op.drop_index("ix_contribution_occurred_at")
        batch_op.drop_index("ix_contribution_login_occurred_at")

    op.drop_table("contribution")
