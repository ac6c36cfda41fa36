"""Whole syncs through a hostile proxy in front of the GitHub emulator.

Each case runs an honest sync first, then one where the proxy lies, and asserts what the
operator sees (the run's error, one line) and that nothing stored is lost or changed: the
database is compared before and after, queued work is still queued, and the next honest run
counts exactly the emulator's ground truth.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.hostile_github import (
    REQUEST_ID,
    HostileGitHub,
    HostileHandler,
    answer,
    drip,
    endless_pages,
    html,
    huge,
    redirect,
    truncated,
)
from tests.integration.github_emulator import Emulator, running_emulator
from tests.integration.sync_support import Clock, RecordingProgress
from tracker.config import Settings, load_settings
from tracker.counting import QueryFilter, counted_contributions
from tracker.doctor import Status, check_store
from tracker.github.client import GitHubClient, transient_retry
from tracker.github.errors import (
    AnswerTooLarge,
    AnswerTooSlow,
    GitHubError,
    ListingTooLong,
    UnexpectedAnswer,
    WaitTooLong,
)
from tracker.github.fetch import EVENT_PAGES
from tracker.store.runs import last_sync_run
from tracker.store.tables import SyncRunRow
from tracker.sync import run
from tracker.sync.summary import SyncSummary

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TOPICS = ("llm", "machine-learning", "deep-learning")
TOKEN = "ghp_" + "Pr0xyT3st" * 4
# Tables whose rows a failed run must leave as they were (the run log and the lock are the run's own).
UNTOUCHED = ("sync_run", "sync_lock", "alembic_version")
COMMENT_LISTINGS = r"/repos/[^/]+/[^/]+/issues/(\d+/)?comments"

Row = tuple[str, str, str, int, str]


@dataclass
class World:
    emulator: Emulator
    proxy: HostileGitHub
    foreign: HostileGitHub
    settings: Settings
    engine: Engine
    database_url: str

    def sync(self, *, since: datetime | None = None, **limits: Any) -> SyncSummary:
        summary, _client = self.sync_with_client(since=since, **limits)
        return summary

    def sync_with_client(
        self, *, since: datetime | None = None, progress: RecordingProgress | None = None, **limits: Any
    ) -> tuple[SyncSummary, GitHubClient]:
        clock = Clock(NOW)
        progress = progress or RecordingProgress()
        client = GitHubClient(
            token=TOKEN,
            api_url=self.proxy.url,
            report=progress.say,
            sleep=clock.sleep,
            clock=clock.timestamp,
            retry=transient_retry(backoff_factor=0),
            **limits,
        )
        try:
            summary = run.run_sync(
                settings=self.settings,
                engine=self.engine,
                client=client,
                progress=progress,
                since=since.date() if since else None,
                clock=clock,
            )
        finally:
            client.close()
        assert summary is not None
        return summary, client

    def failed_sync(self, error: type[GitHubError], **kwargs: Any) -> str:
        with pytest.raises(error) as caught:
            self.sync(**kwargs)
        message = str(caught.value)
        assert "\n" not in message and TOKEN not in message
        return message

    def counted(self) -> set[Row]:
        with Session(self.engine) as session:
            rows = counted_contributions(session, self.settings, QueryFilter())
        return {(r.kind.value, r.person.lower(), r.repo.lower(), r.number, _iso(r.occurred_at)) for r in rows}

    def truth(self) -> set[Row]:
        since = datetime.combine((NOW - timedelta(days=60)).date(), datetime.min.time(), tzinfo=UTC)
        return {
            (row["kind"], row["login"].lower(), row["repo"].lower(), row["number"], row["occurred_at"])
            for row in self.emulator.truth(since, TOPICS)
        }


def _iso(moment: Any) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a sync keeps (sorted, so that order does not matter)."""
    tables = [name for name in sa.inspect(engine).get_table_names() if name not in UNTOUCHED]
    metadata = sa.MetaData()
    with engine.connect() as connection:
        return {
            name: sorted(
                connection.execute(sa.select(sa.Table(name, metadata, autoload_with=connection))).all(),
                key=repr,
            )
            for name in tables
        }


def queued(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM fetch_task")).scalar_one())


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    world = ["--seed=16", "--people=5", "--repos=5", "--contributions=300", "--days=60"]
    limits = ["--now=2026-11-28T00:00:00Z", "--search-limit=100000", "--core-limit=100000"]
    with running_emulator(*world, *limits) as running:
        yield running


@pytest.fixture
def world(tmp_path: Path, engine: Engine, database_url: str, emulator: Emulator) -> Iterator[World]:
    proxy, foreign = HostileGitHub(upstream=emulator.url).start(), HostileGitHub().start()
    foreign.on(".*", answer(200, []))
    config = tmp_path / "tracker.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [github]
            org = "acme"

            [repos]
            topics = {json.dumps(list(TOPICS))}

            [sync]
            backfill_days = 60
            """
        ),
        encoding="utf-8",
    )
    settings = load_settings(
        config, environ={"GITHUB_API_URL": proxy.url, "TRACKER_DATABASE_URL": database_url}
    )
    yield World(emulator, proxy, foreign, settings, engine, database_url)
    proxy.stop()
    foreign.stop()


@pytest.fixture
def synced(world: World) -> World:
    """The world after one honest sync: everything stored, nothing queued."""
    world.sync()
    assert world.counted() == world.truth()
    assert len(world.truth()) > 50
    assert queued(world.engine) == 0
    return world


def with_member(login: str) -> Any:
    """The real member list, and one more entry (a login that is not a login, say)."""

    def trick(handler: HostileHandler) -> None:
        reply = handler.upstream_reply(unconditional=True)
        members = [*json.loads(reply.body), {"login": login, "type": "User", "id": 1}]
        handler.send(reply.status, json.dumps(members).encode(), reply.headers)

    return trick


# --- the member list -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trick", "error", "line"),
    [
        (
            lambda foreign: redirect(foreign.url + "/login", status=302),
            UnexpectedAnswer,
            "GitHub answered /orgs/acme/members with a redirect to {foreign}, which is not followed "
            f"(HTTP 302, request id {REQUEST_ID})",
        ),
        (
            lambda foreign: redirect(foreign.url + "{path}", status=301),
            UnexpectedAnswer,
            "GitHub redirected /orgs/acme/members to {foreign}; not followed "
            f"(the token goes to the configured API only) (HTTP 301, request id {REQUEST_ID})",
        ),
        (
            lambda foreign: html(),
            UnexpectedAnswer,
            "GitHub's answer to /orgs/acme/members is not JSON but text/html (a proxy or a captive portal?) "
            "(HTTP 200)",
        ),
        (
            lambda foreign: truncated(),
            UnexpectedAnswer,
            "GitHub's answer to /orgs/acme/members is not JSON: it is cut short or malformed (HTTP 200, ",
        ),
        (
            lambda foreign: answer(200, [{"type": "User"}]),
            UnexpectedAnswer,
            "GitHub's answer to /orgs/acme/members is not what was asked for: item 1: 'login' is missing "
            f"(HTTP 200, request id {REQUEST_ID})",
        ),
        (
            lambda foreign: huge(3 * 1024 * 1024, declared=False),
            AnswerTooLarge,
            "GitHub's answer to /orgs/acme/members is larger than 1 MB; not read (HTTP 200)",
        ),
    ],
    ids=["302-elsewhere", "301-elsewhere", "html", "truncated", "no-login", "huge"],
)
def test_a_member_list_that_lies_fails_the_sync_and_changes_nothing(
    synced: World, trick: Any, error: type[GitHubError], line: str
) -> None:
    """It used to read as no members at all: every member deleted, nothing counted, exit 0."""
    before = snapshot(synced.engine)
    synced.proxy.on("/orgs/acme/members", trick(synced.foreign))

    message = synced.failed_sync(error, max_answer_bytes=1024 * 1024)

    assert message.startswith(line.format(foreign=synced.foreign.url))
    assert snapshot(synced.engine) == before
    assert synced.foreign.received == []


def test_an_empty_member_list_after_a_full_one_is_not_applied(synced: World) -> None:
    """A 200 with [] (a token that lost sight of the org): the membership safety rule holds it back."""
    before = snapshot(synced.engine)
    synced.proxy.on("/orgs/acme/members", answer(200, []))

    summary = synced.sync()

    after = snapshot(synced.engine)
    assert (after["member_account"], after["member_interval"]) == (
        before["member_account"],
        before["member_interval"],
    )
    assert synced.counted() == synced.truth()
    (warning,) = summary.warnings
    assert warning.startswith("membership not changed: this listing of acme lacks ")
    assert summary.line().endswith("; 1 warning (said as they came)")


def test_a_member_whose_login_is_no_login_never_reaches_a_search(synced: World) -> None:
    synced.proxy.on("/orgs/acme/members", with_member("fay author:evil"))

    summary = synced.sync()

    assert summary.warnings == [
        "'fay author:evil' is not a GitHub login (a GitHub login is 1-39 letters, digits or hyphens, "
        "not starting with a hyphen); its activity is not searched"
    ]
    assert not any("evil" in request.path for request in synced.proxy.received)
    assert synced.counted() == synced.truth()


# --- the queued comments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trick", "error", "start"),
    [
        (html(), UnexpectedAnswer, "GitHub's answer to /repos/"),
        (truncated(), UnexpectedAnswer, "GitHub's answer to /repos/"),
        (answer(200, {"message": "moved"}), UnexpectedAnswer, "GitHub's answer to /repos/"),
        (endless_pages(), ListingTooLong, "GitHub's list at /repos/"),
    ],
    ids=["html", "truncated", "object", "endless"],
)
def test_comment_listings_that_lie_keep_the_queued_tasks_for_the_next_run(
    synced: World, trick: Any, error: type[GitHubError], start: str
) -> None:
    """HTML 200s used to drop the queued tasks for good (comments down from 58 to 1)."""
    before = snapshot(synced.engine)
    synced.proxy.on(COMMENT_LISTINGS, trick)

    message = synced.failed_sync(error, since=NOW - timedelta(days=60))

    assert message.startswith(start)
    assert queued(synced.engine) > 0
    assert snapshot(synced.engine)["contribution"] == before["contribution"]

    synced.proxy._rules.clear()
    synced.sync()
    assert queued(synced.engine) == 0
    assert synced.counted() == synced.truth()


# --- waits and requests that would not end ---------------------------------------------------


def test_a_retry_after_ten_years_away_fails_the_run_keeping_what_it_fetched(synced: World) -> None:
    before = snapshot(synced.engine)
    ten_years = str(10 * 365 * 86_400)
    synced.proxy.on(
        "/search/issues", answer(403, {"message": "secondary rate limit"}, {"retry-after": ten_years})
    )

    message = synced.failed_sync(WaitTooLong, since=NOW - timedelta(days=60))

    assert message.startswith("waiting 3,650 days before /search/issues (GitHub asked to retry later")
    after = snapshot(synced.engine)
    assert after["contribution"] == before["contribution"]
    assert after["login_cursor"] == before["login_cursor"]


@pytest.mark.parametrize("value", ["inf", "-1", "soon"])
def test_a_retry_after_that_is_no_number_waits_a_minute_and_the_sync_completes(
    world: World, value: str
) -> None:
    world.proxy.on(
        "/search/issues", answer(403, {"message": "secondary rate limit"}, {"retry-after": value}), times=1
    )

    summary = world.sync()

    assert summary.waited_seconds == 60.0
    assert world.counted() == world.truth()


def test_a_dripping_answer_fails_the_run_at_its_deadline(synced: World) -> None:
    before = snapshot(synced.engine)
    synced.proxy.on("/orgs/acme/members", drip(every=0.2))

    message = synced.failed_sync(AnswerTooSlow, deadline=1.0)

    assert message == "GitHub took more than 1 s to answer /orgs/acme/members; stopped"
    assert snapshot(synced.engine) == before


def test_an_endless_events_feed_is_cut_at_its_cap_and_the_summary_says_so(synced: World) -> None:
    synced.proxy.on(r"/users/[^/]+/events/public", endless_pages())
    honest = len(synced.proxy.received)

    summary = synced.sync()

    feed_requests = [path for path in synced.proxy.paths()[honest:] if path.endswith("/events/public")]
    feeds = set(feed_requests)
    assert len(feed_requests) == len(feeds) * EVENT_PAGES
    assert summary.caps_hit == {"pages of a listing": len(feeds)}
    assert f"; caps hit: pages of a listing ({len(feeds)})" in summary.line()
    assert summary.figures()["caps_hit"] == len(feeds) > 1
    assert synced.counted() == synced.truth()
    assert last_run(synced.engine).caps_hit == {"pages of a listing": len(feeds)}


def last_run(engine: Engine) -> SyncRunRow:
    with Session(engine) as session:
        run_row = last_sync_run(session)
    assert run_row is not None
    return run_row


def test_a_run_stopped_by_a_cap_records_the_cap_for_tracker_doctor(synced: World) -> None:
    synced.proxy.on(
        "/search/issues", answer(403, {"message": "secondary rate limit"}, {"retry-after": "86400"})
    )

    synced.failed_sync(WaitTooLong, since=NOW - timedelta(days=60))

    recorded = last_run(synced.engine)
    assert (recorded.status, recorded.caps_hit) == ("failed", {"rate-limit wait": 1})
    (line,) = [check for check in check_store(synced.settings) if check.name == "sync"]
    assert line.status is Status.WARN
    assert line.detail.endswith(
        "; caps hit: rate-limit wait (1): GitHub asked for a longer wait than [github] max_wait_minutes, "
        "so the run stopped there (the next run resumes)"
    )


# --- the same through `tracker sync`, as an operator runs it ---------------------------------------


def tracker_sync(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": world.proxy.url,
        "TRACKER_DATABASE_URL": world.database_url,
        "TRACKER_LOG_FORMAT": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", "--config", str(world.settings.path), "sync", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line the run ends with; no traceback, no token."""
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr and TOKEN not in result.stderr
    assert result.stderr.rstrip().endswith(errors[0])
    return errors[0]


def test_tracker_sync_exits_1_with_one_line_when_the_member_list_is_redirected_elsewhere(
    synced: World,
) -> None:
    before = snapshot(synced.engine)
    synced.proxy.on("/orgs/acme/members", redirect(synced.foreign.url + "/login?from={path}", status=302))

    result = tracker_sync(synced)

    assert error_line(result) == (
        f"error: GitHub answered /orgs/acme/members with a redirect to {synced.foreign.url}, which is not "
        f"followed (HTTP 302, request id {REQUEST_ID})"
    )
    assert snapshot(synced.engine) == before
    assert synced.foreign.received == []


def test_tracker_sync_exits_1_with_one_line_when_the_member_list_is_a_captive_portal(synced: World) -> None:
    before = snapshot(synced.engine)
    synced.proxy.on("/orgs/acme/members", html())

    result = tracker_sync(synced)

    assert error_line(result) == (
        "error: GitHub's answer to /orgs/acme/members is not JSON but text/html (a proxy or a captive "
        "portal?) (HTTP 200)"
    )
    assert snapshot(synced.engine) == before


def test_tracker_sync_keeps_the_queued_comments_when_their_listings_are_html(synced: World) -> None:
    before = snapshot(synced.engine)
    synced.proxy.on(COMMENT_LISTINGS, html())

    result = tracker_sync(synced, "--since", (NOW - timedelta(days=60)).date().isoformat())

    assert re.fullmatch(
        r"error: GitHub's answer to /repos/[^/]+/[^/]+/issues/(\d+/)?comments is not JSON but text/html "
        r"\(a proxy or a captive portal\?\) \(HTTP 200\)",
        error_line(result),
    )
    assert queued(synced.engine) > 0
    assert snapshot(synced.engine)["contribution"] == before["contribution"]
    synced.proxy._rules.clear()
    assert tracker_sync(synced).returncode == 0
    assert queued(synced.engine) == 0
    assert synced.counted() == synced.truth()
