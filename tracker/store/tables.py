"""SQLModel tables. Timestamps are timezone-aware UTC; logins and repo keys are stored lower-cased
beside their display form so that lookups are case-insensitive like GitHub's."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(*, nullable: bool = False, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


class ContributionRow(SQLModel, table=True):
    """One contribution. `repo_key` is the key of its repo's row (the repo, whatever it is
    called now, is read from there); `repo` is the name it was first stored under, shown only
    for a repo the store has no row for."""

    __tablename__ = "contribution"
    __table_args__ = (
        # github_id first, so that looking up a batch of ids (whatever their kind) uses the index.
        sa.UniqueConstraint("github_id", "kind", name="uq_contribution_github_id_kind"),
        sa.Index("ix_contribution_occurred_at", "occurred_at"),
        sa.Index("ix_contribution_login_occurred_at", "login", "occurred_at"),
        sa.Index("ix_contribution_repo_key_occurred_at", "repo_key", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    github_id: int = Field(sa_type=sa.BigInteger)
    login: str = Field(max_length=64)
    repo: str = Field(max_length=200)
    repo_key: str = Field(max_length=200)
    number: int
    title: str
    url: str
    occurred_at: datetime = Field(sa_column=utc_column())
    subject_author: str | None = Field(default=None, max_length=64)
    first_seen_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class FirstMergeRow(SQLModel, table=True):
    """The earliest merged PR of each login in each repo, kept up to date by every upsert, so
    that "first contribution" needs no scan of every merge ever stored."""

    __tablename__ = "first_merge"

    login: str = Field(primary_key=True, max_length=64)
    repo_key: str = Field(primary_key=True, max_length=200)
    repo: str = Field(max_length=200)
    github_id: int = Field(sa_type=sa.BigInteger)
    occurred_at: datetime = Field(sa_column=utc_column())


class RepoRow(SQLModel, table=True):
    """One repo, with its metadata as GitHub last reported it (cached, refreshed with
    conditional requests).

    `key` is the row's own identity (the lower-cased name it was first stored under) and never
    changes: contributions point to it. `full_name` is the current name; `github_id` is GitHub's,
    kept through renames and transfers. `missing_warned`: the sync has said once that the repo
    does not exist or is not visible (said again only after it reappears).
    """

    __tablename__ = "repo"
    __table_args__ = (sa.UniqueConstraint("github_id", name="uq_repo_github_id"),)

    key: str = Field(primary_key=True, max_length=200)
    full_name: str = Field(max_length=200)
    github_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    missing_warned: bool = False
    exists: bool = True
    private: bool = False
    fork: bool = False
    archived: bool = False
    stars: int = 0
    topics: str = "[]"
    description: str | None = None
    license_spdx: str | None = Field(default=None, max_length=100)
    has_license: bool = False
    html_url: str | None = None
    fetched_at: datetime = Field(sa_column=utc_column())


class RepoNameRow(SQLModel, table=True):
    """Every name a repo is known by, its current one and its former ones, to the repo's row.

    A name leads to one repo at a time: when GitHub answers for it with another repo (the old
    name taken again), the name moves to that one.
    """

    __tablename__ = "repo_name"

    name_key: str = Field(primary_key=True, max_length=200)
    name: str = Field(max_length=200)
    repo_key: str = Field(max_length=200, index=True)


class LicenseChangeRow(SQLModel, table=True):
    __tablename__ = "license_change"

    id: int | None = Field(default=None, primary_key=True)
    repo_key: str = Field(max_length=200, index=True)
    full_name: str = Field(max_length=200)
    old_license: str | None = Field(default=None, max_length=100)
    new_license: str | None = Field(default=None, max_length=100)
    seen_at: datetime = Field(sa_column=utc_column())


class MemberAccountRow(SQLModel, table=True):
    """A GitHub account that a complete listing of the organization showed as a member.

    `user_id` is GitHub's, kept through renames (NULL only for a member carried over from before
    ids were kept, until a listing matches it by login); `former_logins` is a JSON list.
    """

    __tablename__ = "member_account"
    __table_args__ = (sa.UniqueConstraint("user_id", name="uq_member_account_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    login_key: str = Field(max_length=64, index=True)
    login: str = Field(max_length=64)
    user_type: str = Field(default="User", max_length=32)
    former_logins: str = "[]"


class MemberIntervalRow(SQLModel, table=True):
    """One interval [starts_at, ends_at) of an account's membership; NULL start is the beginning
    of history, NULL end "still a member"."""

    __tablename__ = "member_interval"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="member_account.id", index=True)
    starts_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    ends_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class MemberListingRow(SQLModel, table=True):
    """One complete listing of the organization's members, at the start of its sync.

    `status`: applied; suspect (too many members gone: not applied); accepted (suspect, applied
    because the operator said so). `previous` counts the last applied listing's members and
    `dropped` those of them missing from this one.
    """

    __tablename__ = "member_listing"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_column=utc_column())
    status: str = Field(max_length=16)
    members: int
    previous: int
    dropped: int


class LoginCursorRow(SQLModel, table=True):
    """How far each login's history is known to be complete.

    `complete_from` .. `complete_until` is the window already fetched and committed;
    events are polled with `events_etag`.
    """

    __tablename__ = "login_cursor"

    login_key: str = Field(primary_key=True, max_length=64)
    complete_from: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    complete_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    events_etag: str | None = None


class FetchTaskRow(SQLModel, table=True):
    """Details still to fetch (an issue's comments, a PR's reviews), queued durably so that a
    killed sync resumes where it stopped instead of searching again."""

    __tablename__ = "fetch_task"
    __table_args__ = (sa.UniqueConstraint("what", "repo_key", "number", name="uq_fetch_task"),)

    id: int | None = Field(default=None, primary_key=True)
    what: str = Field(max_length=16)
    repo: str = Field(max_length=200)
    repo_key: str = Field(max_length=200)
    number: int
    since: datetime = Field(sa_column=utc_column())
    title: str | None = None
    subject_author: str | None = Field(default=None, max_length=64)


class OpenPullRequestRow(SQLModel, table=True):
    """A member's PR that has not landed yet: re-checked with a conditional request each sync.

    `etag` is sent as If-None-Match; until there is one, `last_modified` (the PR's `updated_at`
    as search or the issue endpoint last showed it) is sent as If-Modified-Since.
    """

    __tablename__ = "open_pull_request"

    repo_key: str = Field(primary_key=True, max_length=200)
    number: int = Field(primary_key=True)
    repo: str = Field(max_length=200)
    etag: str | None = None
    last_modified: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class HttpCacheRow(SQLModel, table=True):
    """ETags (and bodies, for small lists we must replay) of GETs, for free 304 answers."""

    __tablename__ = "http_cache"

    url: str = Field(primary_key=True)
    etag: str
    body: str | None = None
    stored_at: datetime = Field(sa_column=utc_column())


class SyncRunRow(SQLModel, table=True):
    __tablename__ = "sync_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_column=utc_column())
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    status: str = Field(default="running", max_length=16)
    new: int = 0
    updated: int = 0
    requests: int = 0
    not_modified: int = 0
    waited_seconds: float = 0.0
    error: str | None = None
    # The caps that stopped something in this run ({"pages of a listing": 2}); empty when none did,
    # None for runs recorded before the caps were.
    caps_hit: dict[str, int] | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))


class StateRow(SQLModel, table=True):
    """Small facts about the store as a whole, e.g. the start of the history it holds."""

    __tablename__ = "state"

    key: str = Field(primary_key=True, max_length=64)
    value: str
