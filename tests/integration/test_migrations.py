"""Schema migrations: from an empty database, from the previous schema, and in step with the models."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel, select

import tracker.store.digests
import tracker.store.runs
import tracker.store.tables  # noqa: F401  (all tables on the metadata)
from tracker.domain import OrgMember
from tracker.membership import Interval, Listing
from tracker.rules import build_people, within_window
from tracker.store import migrate
from tracker.store.contributions import (
    ContributionFilter,
    first_merge_per_person_repo,
    list_contributions,
)
from tracker.store.digests import DigestPostRow, DigestPostStatus
from tracker.store.engine import make_engine
from tracker.store.membership import last_applied_listing, list_member_accounts
from tracker.store.repos import get_repo, list_repos
from tracker.store.sync_state import (
    OpenPullRequest,
    get_cursor,
    list_open_pull_requests,
    track_open_pull_request,
)
from tracker.sync.people import take_listing


def test_an_empty_database_is_upgraded_to_the_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
        assert {"contribution", "repo", "login_cursor", "sync_lock", "digest_post"} <= set(
            sa.inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_the_head_revision_is_the_newest_migration() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())

    assert scripts.get_current_head() == migrate.HEAD_REVISION


def test_the_current_revision_is_the_one_alembic_reads(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0005")
        with engine.connect() as connection:
            alembic_says = MigrationContext.configure(connection).get_current_revision()
        assert migrate.current_revision(engine) == alembic_says == "0005"
        assert migrate.pending(engine)
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == []
    finally:
        engine.dispose()


def test_upgrading_from_the_first_schema_keeps_the_history(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0001")
        moment = datetime(2026, 10, 1, tzinfo=UTC)
        # Rows as that schema's code wrote them (today's code reads names that schema lacks).
        insert_contribution(engine, ("comment", 42, "fay", "a/b", moment))
        migrate.upgrade(engine)
        with Session(engine) as session:
            (kept,) = list_contributions(session, where=ContributionFilter())
        assert (kept.github_id, kept.login, kept.occurred_at) == (42, "fay", moment)
        assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(engine: sa.engine.Engine) -> None:
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == before == migrate.HEAD_REVISION


def test_the_first_merge_table_is_filled_from_the_stored_history(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0004")
        rows = [
            ("pr_merged", 11, "fay", "a/b", datetime(2026, 3, 1, tzinfo=UTC)),
            ("pr_merged", 10, "fay", "a/b", datetime(2026, 5, 1, tzinfo=UTC)),
            ("pr_merged", 12, "fay", "c/d", datetime(2026, 4, 1, tzinfo=UTC)),
            ("pr_merged", 14, "gus", "a/b", datetime(2026, 4, 1, tzinfo=UTC)),
            ("pr_merged", 13, "gus", "a/b", datetime(2026, 4, 1, tzinfo=UTC)),
            ("pr_opened", 9, "gus", "a/b", datetime(2026, 1, 1, tzinfo=UTC)),
        ]
        insert_contribution(engine, *rows)
        migrate.upgrade(engine)
        with Session(engine) as session:
            firsts = first_merge_per_person_repo(session, logins=["fay", "gus"], repos=["a/b", "c/d"])
        assert [(m.login, m.repo, m.github_id) for m in firsts] == [
            ("fay", "a/b", 11),
            ("fay", "c/d", 12),
            ("gus", "a/b", 13),
        ]
    finally:
        engine.dispose()


def insert_contribution(engine: sa.engine.Engine, *rows: tuple[str, int, str, str, datetime]) -> None:
    """Contributions (kind, id, login, repo, time) as the code of an older schema stored them."""
    with engine.begin() as connection:
        for kind, github_id, login, repo, at in rows:
            connection.execute(
                sa.text(
                    "INSERT INTO contribution (kind, github_id, login, repo, repo_key, number, title, "
                    "url, occurred_at, first_seen_at, updated_at) "
                    "VALUES (:kind, :id, :login, :repo, :repo_key, 1, 't', 'u', :at, :at, :at)"
                ),
                {
                    "kind": kind,
                    "id": github_id,
                    "login": login,
                    "repo": repo,
                    "repo_key": repo.lower(),
                    "at": at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else at,
                },
            )


def test_open_pull_requests_tracked_before_0006_keep_their_etag_and_gain_no_date(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0005")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO open_pull_request (repo_key, number, repo, etag) "
                    "VALUES ('a/b', 7, 'A/b', 'W/\"1\"'), ('c/d', 8, 'c/d', NULL)"
                )
            )
        migrate.upgrade(engine)
        updated = datetime(2026, 11, 3, 10, 0, 30, tzinfo=UTC)
        with Session(engine) as session:
            before = list_open_pull_requests(session)
            track_open_pull_request(session, repo="c/d", number=8, etag=None, last_modified=updated)
            session.commit()
            after = list_open_pull_requests(session)
        assert before == [
            OpenPullRequest("A/b", 7, 'W/"1"', None),
            OpenPullRequest("c/d", 8, None, None),
        ]
        assert after[1] == OpenPullRequest("c/d", 8, None, updated)
        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "0005")
        columns = {column["name"] for column in sa.inspect(engine).get_columns("open_pull_request")}
        assert columns == {"repo_key", "number", "repo", "etag"}
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT COUNT(*) FROM open_pull_request")).scalar() == 2
    finally:
        engine.dispose()


def test_login_cursors_stored_before_0008_keep_their_window_and_etag(database_url: str) -> None:
    engine = make_engine(database_url)
    since = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        migrate.upgrade(engine, "0007")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO login_cursor (login_key, complete_from, events_etag, last_event_id) "
                    "VALUES ('fay', :since, 'etag-1', 42)"
                ),
                {"since": since.replace(tzinfo=None) if engine.dialect.name == "sqlite" else since},
            )
        migrate.upgrade(engine)
        with Session(engine) as session:
            cursor = get_cursor(session, "Fay")
        assert (cursor.complete_from, cursor.events_etag) == (since, "etag-1")
        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "0007")
        columns = {column["name"] for column in sa.inspect(engine).get_columns("login_cursor")}
        assert "last_event_id" in columns
    finally:
        engine.dispose()


_MIGRATE_AT_THE_SIGNAL = """
import sys, time
from pathlib import Path
from tracker.store import migrate
from tracker.store.engine import make_engine

url, go = sys.argv[1], Path(sys.argv[2])
engine = make_engine(url)
while not go.exists():
    time.sleep(0.005)
migrate.upgrade(engine)
print(migrate.current_revision(engine))
"""


def test_processes_starting_together_on_a_new_database_all_come_up(database_url: str, tmp_path: Path) -> None:
    """One migrates under the lock; the others wait, find the schema at the head and go on."""
    go = tmp_path / "go"
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", _MIGRATE_AT_THE_SIGNAL, database_url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    time.sleep(1.5)  # every process has imported and is waiting at the line
    go.touch()
    outcomes = [process.communicate(timeout=120) for process in starters]

    assert [process.returncode for process in starters] == [0, 0, 0, 0], [err for _, err in outcomes]
    assert [out.strip() for out, _ in outcomes] == [migrate.HEAD_REVISION] * 4


def test_members_before_0009_become_members_since_the_beginning_of_history(database_url: str) -> None:
    engine = make_engine(database_url)
    seen = datetime(2026, 11, 20, 8, tzinfo=UTC)
    try:
        migrate.upgrade(engine, "0008")
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO org_member (login_key, login, user_type, seen_at) "
                    "VALUES ('fay', 'Fay', 'User', :seen), ('acme-ci', 'acme-ci', 'Bot', :seen)"
                ),
                {"seen": seen.replace(tzinfo=None) if engine.dialect.name == "sqlite" else seen},
            )
        migrate.upgrade(engine)
        with Session(engine) as session:
            accounts = list_member_accounts(session)
            last = last_applied_listing(session)
            people = build_people(accounts, [])
        assert [(a.login, a.user_type, a.user_id, a.intervals) for a in accounts] == [
            ("acme-ci", "Bot", None, (Interval(),)),
            ("Fay", "User", None, (Interval(),)),
        ]
        assert last is not None and (last.started_at, last.members) == (seen, 2)
        (fay,) = people
        assert within_window(fay, datetime(2001, 1, 1, tzinfo=UTC))

        # the next listing finds fay by login and takes her id; a newcomer counts from the last listing
        later = seen + timedelta(hours=1)
        members = (OrgMember("fay", "User", 7), OrgMember("acme-ci", "Bot", 8), OrgMember("gus", "User", 9))
        with Session(engine) as session:
            observation = take_listing(session, Listing(members, later))
            session.commit()
        assert observation.joined == ("gus",)
        with Session(engine) as session:
            after = {a.login: (a.user_id, a.intervals) for a in list_member_accounts(session)}
        assert after == {
            "acme-ci": (8, (Interval(),)),
            "fay": (7, (Interval(),)),
            "gus": (9, (Interval(seen),)),
        }

        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "0008")
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT login_key, user_type FROM org_member ORDER BY 1")).all()
        assert [tuple(row) for row in rows] == [("acme-ci", "Bot"), ("fay", "User"), ("gus", "User")]
    finally:
        engine.dispose()


def test_digests_posted_before_claims_existed_stay_posted(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0009")
        posted = datetime(2026, 10, 5, 9, tzinfo=UTC)
        sqlite = engine.dialect.name == "sqlite"
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO digest_post (period_kind, period_start, period_end, destination, "
                    "message_ts, posted_at) VALUES ('week', :start, :end, 'webhook', NULL, :posted)"
                ),
                {
                    name: moment.replace(tzinfo=None) if sqlite else moment
                    for name, moment in {
                        "start": datetime(2026, 9, 28, tzinfo=UTC),
                        "end": datetime(2026, 10, 5, tzinfo=UTC),
                        "posted": posted,
                    }.items()
                },
            )
        migrate.upgrade(engine)
        with Session(engine) as session:
            (row,) = session.exec(select(DigestPostRow)).all()
        assert (row.status, row.claimed_at, row.posted_at) == (DigestPostStatus.POSTED, posted, posted)
    finally:
        engine.dispose()


def test_a_repo_stored_under_two_names_before_0012_becomes_one_repo_with_its_history(
    database_url: str,
) -> None:
    """Before 0012 a renamed repo had a row per name asked (both with GitHub's answer, the new
    name) and its contributions and first merges split between them; one repo known by id had
    two rows too."""
    engine = make_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"

    def stored(moment: datetime) -> datetime:
        return moment.replace(tzinfo=None) if sqlite else moment

    monday, tuesday = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    try:
        migrate.upgrade(engine, "0011")
        with engine.begin() as connection:
            for key, full_name, github_id, fetched_at in [
                ("jacquev6/pygithub", "PyGithub/PyGithub", None, monday),
                ("pygithub/pygithub", "PyGithub/PyGithub", 3544490, tuesday),
                ("old-org/model", "old-org/model", 77, monday),
                ("new-org/model", "new-org/model", 77, tuesday),
                ("a/b", "a/b", None, monday),
            ]:
                connection.execute(
                    sa.text(
                        'INSERT INTO repo (key, full_name, github_id, "exists", private, fork, archived, '
                        "stars, topics, has_license, fetched_at) "
                        "VALUES (:key, :full_name, :github_id, true, false, false, false, 1, '[]', false, "
                        ":at)"
                    ),
                    {"key": key, "full_name": full_name, "github_id": github_id, "at": stored(fetched_at)},
                )
            connection.execute(
                sa.text(
                    "INSERT INTO first_merge (login, repo_key, repo, github_id, occurred_at) VALUES "
                    "('fay', 'jacquev6/pygithub', 'jacquev6/PyGithub', 11, :early), "
                    "('fay', 'pygithub/pygithub', 'PyGithub/PyGithub', 12, :late), "
                    "('gus', 'pygithub/pygithub', 'PyGithub/PyGithub', 13, :late)"
                ),
                {
                    "early": stored(datetime(2026, 9, 1, tzinfo=UTC)),
                    "late": stored(datetime(2026, 10, 1, tzinfo=UTC)),
                },
            )
        insert_contribution(
            engine,
            ("pr_merged", 11, "fay", "jacquev6/PyGithub", datetime(2026, 9, 1, tzinfo=UTC)),
            ("comment", 21, "fay", "jacquev6/PyGithub", datetime(2026, 9, 2, tzinfo=UTC)),
            ("pr_merged", 12, "fay", "PyGithub/PyGithub", datetime(2026, 10, 1, tzinfo=UTC)),
            ("pr_merged", 13, "gus", "PyGithub/PyGithub", datetime(2026, 10, 1, tzinfo=UTC)),
            ("comment", 22, "gus", "old-org/model", datetime(2026, 10, 2, tzinfo=UTC)),
            ("comment", 23, "gus", "a/b", datetime(2026, 10, 3, tzinfo=UTC)),
        )

        migrate.upgrade(engine)

        with Session(engine) as session:
            repos = {record.full_name: record for record in list_repos(session)}
            contributions = {
                c.github_id: c.repo for c in list_contributions(session, where=ContributionFilter())
            }
            firsts = first_merge_per_person_repo(session, logins=["fay", "gus"], repos=["jacquev6/PyGithub"])
            only_the_model = list(
                list_contributions(session, where=ContributionFilter(repos=frozenset({"old-org/model"})))
            )
            by_old_name = get_repo(session, "jacquev6/pygithub")
        assert {name: (r.github_id, r.former_names) for name, r in repos.items()} == {
            "PyGithub/PyGithub": (3544490, ("jacquev6/PyGithub",)),
            "new-org/model": (77, ("old-org/model",)),
            "a/b": (None, ()),
        }
        assert contributions == {
            11: "PyGithub/PyGithub",
            21: "PyGithub/PyGithub",
            12: "PyGithub/PyGithub",
            13: "PyGithub/PyGithub",
            22: "new-org/model",
            23: "a/b",
        }
        assert [(m.login, m.repo, m.github_id) for m in firsts] == [
            ("fay", "PyGithub/PyGithub", 11),
            ("gus", "PyGithub/PyGithub", 13),
        ]
        assert [c.github_id for c in only_the_model] == [22]
        assert by_old_name is not None and by_old_name.full_name == "PyGithub/PyGithub"

        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "0011")
        with engine.connect() as connection:
            keys = connection.execute(sa.text("SELECT key FROM repo ORDER BY key")).scalars().all()
        assert keys == ["a/b", "new-org/model", "pygithub/pygithub"]
    finally:
        engine.dispose()
