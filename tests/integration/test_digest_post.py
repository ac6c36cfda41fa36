"""The digest against a real store and a local HTTP server answering as Slack documents."""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pytest_httpserver import HTTPServer
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from tests.conftest import load_fixture
from tests.integration import digest_world as world
from tracker.config import Settings
from tracker.counting import QueryFilter, counted_contributions, counted_groups
from tracker.digest.post import (
    DigestRequest,
    PeriodNotOver,
    Poster,
    post_digest,
    post_scheduled_digest,
    preview_digest,
)
from tracker.domain import Kind
from tracker.reports import group_totals
from tracker.slack.errors import SlackError, SlackSetupError
from tracker.slack.post import PostReceipt, post_message
from tracker.slack.targets import (
    BotTarget,
    SlackTarget,
    WebhookTarget,
    require_target,
    target_from_environment,
)
from tracker.store.contributions import upsert_contributions
from tracker.store.digests import DigestPostRow, get_digest_post, record_digest_post

TOKEN = "xoxb-1234567890-secret-token"
CHANNEL = "C123ABC456"
WEBHOOK_PATH = "/services/T000/B000/SECRETPATH"
NOW = datetime(2025, 3, 10, 9, tzinfo=UTC)
NO_WAIT = FixedValueRetryIntervalCalculator(0)
PAYLOAD: dict[str, Any] = {"text": "hello", "blocks": [{"type": "divider"}]}


def slack_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load_fixture(f"slack/{name}.json"))
    return data


def bot(httpserver: HTTPServer) -> BotTarget:
    return BotTarget(token=TOKEN, channel=CHANNEL, api_url=httpserver.url_for("/api/"))


def webhook(httpserver: HTTPServer) -> WebhookTarget:
    return WebhookTarget(url=httpserver.url_for(WEBHOOK_PATH))


def expect_post(httpserver: HTTPServer, body: Mapping[str, Any], status: int = 200, **headers: str) -> None:
    httpserver.expect_ordered_request("/api/chat.postMessage", method="POST").respond_with_json(
        body, status=status, headers=headers
    )


def expect_webhook(httpserver: HTTPServer, body: str, status: int = 200) -> None:
    httpserver.expect_ordered_request(WEBHOOK_PATH, method="POST").respond_with_data(body, status=status)


def sent(httpserver: HTTPServer) -> list[dict[str, Any]]:
    return [request.get_json() for request, _ in httpserver.log]


# --- the digest_post table ----------------------------------------------------------------------


def _digest_post_only(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table == "digest_post"


def test_migration_creates_the_digest_post_table_as_the_model_declares(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _digest_post_only}
        )
        differences = compare_metadata(context, SQLModel.metadata)

    assert "digest_post" in sa.inspect(engine).get_table_names()
    assert differences == []


def record(session: Session, *, ts: str | None, posted_at: datetime = NOW) -> DigestPostRow:
    return record_digest_post(
        session,
        period_kind="week",
        period_start=world.WEEK_START,
        period_end=world.WEEK_END,
        destination=f"channel:{CHANNEL}",
        message_ts=ts,
        posted_at=posted_at,
    )


def test_a_recorded_post_is_found_again_by_period_and_destination(engine: Engine) -> None:
    with Session(engine) as session:
        record(session, ts="1503435956.000247")
        session.commit()
    with Session(engine) as session:
        found = get_digest_post(
            session, period_kind="week", period_start=world.WEEK_START, destination=f"channel:{CHANNEL}"
        )
        other = get_digest_post(
            session, period_kind="week", period_start=world.WEEK_START, destination="webhook"
        )

    assert found is not None
    assert (found.message_ts, found.period_end, found.posted_at) == ("1503435956.000247", world.WEEK_END, NOW)
    assert other is None


def test_recording_the_same_period_again_replaces_the_record(engine: Engine) -> None:
    later = datetime(2025, 3, 11, tzinfo=UTC)
    with Session(engine) as session:
        record(session, ts="1.1")
        session.commit()
        record(session, ts="2.2", posted_at=later)
        session.commit()
        rows = session.exec(select(DigestPostRow)).all()

    assert [(row.message_ts, row.posted_at) for row in rows] == [("2.2", later)]


def test_the_database_refuses_two_records_of_one_period_and_destination(engine: Engine) -> None:
    def row() -> DigestPostRow:
        return DigestPostRow(
            period_kind="week",
            period_start=world.WEEK_START,
            period_end=world.WEEK_END,
            destination="webhook",
            posted_at=NOW,
        )

    with Session(engine) as session:
        session.add(row())
        session.commit()
        session.add(row())
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


# --- destinations from the environment ----------------------------------------------------------


def test_a_bot_token_and_channel_make_a_bot_target() -> None:
    target = target_from_environment({"SLACK_BOT_TOKEN": TOKEN}, channel=CHANNEL, api_url=None)

    assert target == BotTarget(token=TOKEN, channel=CHANNEL, api_url="https://slack.com/api/")
    assert target.destination == f"channel:{CHANNEL}"
    assert TOKEN not in repr(target)


def test_the_api_url_comes_from_the_environment_first_then_the_config() -> None:
    environ = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": "https://slack-gov.com/api"}

    from_env = target_from_environment(environ, channel=CHANNEL, api_url="https://config.example/api/")
    from_config = target_from_environment(
        {"SLACK_BOT_TOKEN": TOKEN}, channel=CHANNEL, api_url="https://config.example/api"
    )

    assert isinstance(from_env, BotTarget)
    assert from_env.api_url == "https://slack-gov.com/api/"
    assert isinstance(from_config, BotTarget)
    assert from_config.api_url == "https://config.example/api/"


def test_a_token_without_a_channel_says_what_to_add() -> None:
    with pytest.raises(SlackSetupError, match=r"channel = .* under \[slack\]"):
        target_from_environment({"SLACK_BOT_TOKEN": TOKEN}, channel=None, api_url=None)


def test_a_webhook_alone_makes_a_webhook_target_and_a_token_wins_over_it() -> None:
    hook = "https://hooks.slack.com/services/T/B/X"

    alone = target_from_environment({"SLACK_WEBHOOK_URL": hook}, channel=None, api_url=None)
    both = target_from_environment(
        {"SLACK_WEBHOOK_URL": hook, "SLACK_BOT_TOKEN": TOKEN}, channel="C1", api_url=None
    )

    assert alone == WebhookTarget(url=hook)
    assert alone.destination == "webhook"
    assert "hooks.slack.com" not in repr(alone)
    assert isinstance(both, BotTarget)


def test_nothing_configured_is_no_target() -> None:
    assert target_from_environment({"SLACK_BOT_TOKEN": "  "}, channel=CHANNEL, api_url=None) is None


def test_requiring_a_target_names_the_variables_to_set() -> None:
    with pytest.raises(
        SlackSetupError, match=r"set SLACK_BOT_TOKEN \(with \[slack\] channel\) or SLACK_WEBHOOK_URL"
    ):
        require_target({}, channel=CHANNEL, api_url=None)


# --- chat.postMessage ---------------------------------------------------------------------------


def test_chat_post_message_sends_the_payload_with_the_token(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ok"))

    receipt = post_message(bot(httpserver), PAYLOAD)

    assert receipt == PostReceipt(f"channel:{CHANNEL}", "1503435956.000247")
    request, _ = httpserver.log[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.get_json() == {"channel": CHANNEL, **PAYLOAD}
    httpserver.check_assertions()


def test_an_error_body_becomes_a_safe_slack_error_with_a_hint(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_not_in_channel"))

    with pytest.raises(SlackError) as raised:
        post_message(bot(httpserver), PAYLOAD)

    assert raised.value.error == "not_in_channel"
    assert raised.value.status == 200
    assert "invite the bot" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_an_invalid_token_is_reported_without_the_token(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_invalid_auth"))

    with pytest.raises(SlackError, match=r"invalid_auth.*check SLACK_BOT_TOKEN") as raised:
        post_message(bot(httpserver), PAYLOAD)

    assert TOKEN not in str(raised.value)


def test_a_429_waits_retry_after_and_tries_again(httpserver: HTTPServer) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ratelimited"), status=429, **{"Retry-After": "0"})
    expect_post(httpserver, slack_json("chat_postMessage_ok"))

    receipt = post_message(bot(httpserver), PAYLOAD)

    assert receipt.ts == "1503435956.000247"
    assert len(httpserver.log) == 2
    httpserver.check_assertions()


def test_rate_limited_beyond_the_retries_is_an_error(httpserver: HTTPServer) -> None:
    limited = slack_json("chat_postMessage_ratelimited")
    httpserver.expect_request("/api/chat.postMessage").respond_with_json(
        limited, status=429, headers={"Retry-After": "0"}
    )

    with pytest.raises(SlackError, match=r"ratelimited.*HTTP 429"):
        post_message(bot(httpserver), PAYLOAD, retries=1)

    assert len(httpserver.log) == 2


def test_a_server_error_is_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_data("oops", status=503)
    expect_post(httpserver, slack_json("chat_postMessage_ok"))

    receipt = post_message(bot(httpserver), PAYLOAD, retry_interval=NO_WAIT)

    assert receipt.ts == "1503435956.000247"
    httpserver.check_assertions()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_slack_out_of_reach_is_a_slack_error_naming_the_host_only() -> None:
    url = f"http://127.0.0.1:{closed_port()}{WEBHOOK_PATH}"

    with pytest.raises(SlackError, match=r"cannot reach Slack at 127\.0\.0\.1") as raised:
        post_message(WebhookTarget(url=url), PAYLOAD, retry_interval=NO_WAIT)

    assert "SECRETPATH" not in str(raised.value)


# --- incoming webhooks --------------------------------------------------------------------------


def test_a_webhook_answering_ok_is_posted(httpserver: HTTPServer) -> None:
    expect_webhook(httpserver, load_fixture("slack/webhook_ok.txt"))

    receipt = post_message(webhook(httpserver), PAYLOAD)

    assert receipt == PostReceipt("webhook", None)
    assert sent(httpserver) == [PAYLOAD]


@pytest.mark.parametrize(("fixture", "status"), [("invalid_blocks", 400), ("no_service", 404)])
def test_a_webhook_refusal_names_slack_s_error_and_not_the_url(
    httpserver: HTTPServer, fixture: str, status: int
) -> None:
    expect_webhook(httpserver, load_fixture(f"slack/webhook_{fixture}.txt"), status=status)

    with pytest.raises(SlackError) as raised:
        post_message(webhook(httpserver), PAYLOAD)

    assert raised.value.error == fixture
    assert raised.value.status == status
    assert "SECRETPATH" not in str(raised.value)


def test_a_rate_limited_webhook_is_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(WEBHOOK_PATH).respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "0"}
    )
    expect_webhook(httpserver, "ok")

    assert post_message(webhook(httpserver), PAYLOAD).destination == "webhook"
    httpserver.check_assertions()


# --- the digest service: numbers ----------------------------------------------------------------


@pytest.fixture
def settings(engine: Engine, database_url: str, tmp_path: Path) -> Settings:
    world.fill(engine)
    return world.settings_for(tmp_path, database_url)


def request_for(end: datetime = world.WEEK_END, now: datetime = NOW) -> DigestRequest:
    return DigestRequest(kind="week", end=end, now=now)


def test_the_digest_numbers_are_the_hand_counted_ones(engine: Engine, settings: Settings) -> None:
    content = preview_digest(engine, settings, request_for()).content

    assert (content.period.start, content.period.end) == (world.WEEK_START, world.WEEK_END)
    assert (content.total.current, content.total.previous) == (10, 2)
    assert {kind: change.current for kind, change in content.by_kind} == {
        Kind.PR_MERGED: 4,
        Kind.PR_OPENED: 1,
        Kind.REVIEW: 2,
        Kind.ISSUE_OPENED: 1,
        Kind.COMMENT: 2,
    }
    assert (content.contributors.current, content.contributors.previous) == (4, 2)
    assert (content.repo_count.current, content.repo_count.previous) == (4, 2)
    assert [(repo.name, repo.count) for repo in content.repos.items] == [
        (world.T, 5),
        (world.L, 2),
        (world.V, 2),
        (world.C, 1),
    ]
    assert [(person.login, person.count) for person in content.people.items] == [
        ("ada", 4),
        ("bob", 2),
        ("erin", 2),
    ]
    assert content.people.more == 1
    assert content.teams is not None
    assert [(team.name, team.count, team.people) for team in content.teams.items] == [
        ("Research", 6, 2),
        ("Infra", 4, 2),
    ]
    assert [point.total for point in content.trend] == [1, 0, 0, 0, 0, 0, 2, 10]


def test_first_contributions_highlights_and_openness_from_the_store(
    engine: Engine, settings: Settings
) -> None:
    content = preview_digest(engine, settings, request_for()).content

    assert [(pull.author, pull.repo) for pull in content.first_contributions.items] == [
        ("ada", world.T),
        ("erin", world.C),
    ]
    assert content.first_contributions.more == 1
    assert [pull.number for pull in content.highlights.items] == [101, 3, 55]
    assert content.highlights.more == 1
    assert content.openness.osi_percent == 70
    assert [(change.full_name, change.old, change.new) for change in content.openness.license_changes] == [
        (world.C, "MIT", "CC-BY-4.0")
    ]
    assert content.freshness.last_success_at == world.SYNC_ENDED
    assert content.freshness.last_sync_failed


def test_the_digest_agrees_with_stats_for_the_same_period(engine: Engine, settings: Settings) -> None:
    content = preview_digest(engine, settings, request_for()).content
    week = QueryFilter(since=world.WEEK_START, until=world.WEEK_END)
    with Session(engine) as session:
        rows = counted_contributions(session, settings, week)
        groups = counted_groups(session, settings, week)

    by_kind = {row.group: row.total for row in group_totals(groups, "kind")}
    assert {kind.value: change.current for kind, change in content.by_kind if change.current} == by_kind
    assert [(repo.name, repo.count) for repo in content.repos.items] == [
        (row.group, row.total) for row in group_totals(groups, "repo")
    ]
    assert content.contributors.current == len(group_totals(groups, "login"))
    assert content.total.current == len(rows)


def test_a_week_in_berlin_starts_at_midnight_berlin_time(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    world.fill(engine)
    berlin = world.settings_for(tmp_path, database_url, timezone="Europe/Berlin")

    content = preview_digest(engine, berlin, request_for(end=datetime(2025, 3, 10, 12, tzinfo=UTC))).content

    # Berlin's week is [2025-03-02T23:00Z, 2025-03-09T23:00Z): ada's comment at 23:59:59Z on
    # 2 March joins it; nothing counted leaves it.
    assert (content.period.start, content.period.end) == (
        datetime(2025, 3, 2, 23, tzinfo=UTC),
        datetime(2025, 3, 9, 23, tzinfo=UTC),
    )
    assert (content.total.current, content.total.previous) == (11, 1)


def test_a_week_across_the_dst_change_counts_its_167_hours(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    edges = {
        8001: "2025-03-23T22:59:59",  # Sunday 23:59:59 CET: the week before
        8002: "2025-03-23T23:00:00",  # Monday 00:00 CET: in
        8003: "2025-03-30T01:30:00",  # Sunday 03:30 CEST, just after the clocks jumped: in
        8004: "2025-03-30T21:59:59",  # Sunday 23:59:59 CEST: in
        8005: "2025-03-30T22:00:00",  # Monday 00:00 CEST: the week after
    }
    world.fill(engine)
    with Session(engine) as session:
        comments = [
            world.contribution(Kind.COMMENT, key, "bob", world.T, 1, when) for key, when in edges.items()
        ]
        upsert_contributions(session, comments, now=NOW)
        session.commit()
    berlin = world.settings_for(tmp_path, database_url, timezone="Europe/Berlin")
    april = datetime(2025, 4, 1, tzinfo=UTC)

    content = preview_digest(engine, berlin, request_for(end=april, now=april)).content

    assert content.period.end - content.period.start == timedelta(hours=167)
    assert (content.total.current, content.total.previous) == (3, 1)


# --- the digest service: exactly once -----------------------------------------------------------


def counting_poster(receipts: list[SlackTarget], *, fail: bool = False) -> Poster:
    def post(target: SlackTarget, payload: Mapping[str, Any]) -> PostReceipt:
        receipts.append(target)
        if fail:
            raise SlackError("Slack refused the message (chat.postMessage: not_in_channel, HTTP 200)")
        return PostReceipt(target.destination, f"{len(receipts)}.0")

    return post


def test_a_digest_posts_once_per_period_and_destination(
    engine: Engine, settings: Settings, httpserver: HTTPServer
) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ok"))

    first = post_digest(engine, settings, request_for(), bot(httpserver))
    second = post_digest(engine, settings, request_for(), bot(httpserver))

    assert first.receipt == PostReceipt(f"channel:{CHANNEL}", "1503435956.000247")
    assert second.receipt is None
    assert second.earlier is not None
    assert second.earlier.message_ts == "1503435956.000247"
    assert "already posted" in second.summary()
    assert len(httpserver.log) == 1
    assert sent(httpserver)[0]["blocks"] == first.prepared.message.payload()["blocks"]


def test_the_scheduled_digest_posts_the_last_complete_week_once(
    engine: Engine, settings: Settings, httpserver: HTTPServer
) -> None:
    expect_webhook(httpserver, "ok")
    environ = {"SLACK_WEBHOOK_URL": httpserver.url_for(WEBHOOK_PATH)}

    first = post_scheduled_digest(engine, settings, environ=environ, now=NOW)
    second = post_scheduled_digest(engine, settings, environ=environ, now=NOW)

    assert (first.prepared.period.start, first.prepared.period.end) == (world.WEEK_START, world.WEEK_END)
    assert first.receipt == PostReceipt("webhook", None)
    assert second.receipt is None
    assert len(httpserver.log) == 1


def test_force_posts_again_and_records_the_new_ts(engine: Engine, settings: Settings) -> None:
    targets: list[SlackTarget] = []
    target = WebhookTarget(url="https://hooks.slack.com/services/T/B/X")
    poster = counting_poster(targets)

    post_digest(engine, settings, request_for(), target, post=poster)
    forced = post_digest(engine, settings, request_for(), target, force=True, post=poster)

    assert len(targets) == 2
    assert forced.receipt == PostReceipt("webhook", "2.0")
    with Session(engine) as session:
        row = get_digest_post(
            session, period_kind="week", period_start=world.WEEK_START, destination="webhook"
        )
    assert row is not None
    assert row.message_ts == "2.0"


def test_another_destination_gets_its_own_post(engine: Engine, settings: Settings) -> None:
    targets: list[SlackTarget] = []
    poster = counting_poster(targets)

    post_digest(engine, settings, request_for(), WebhookTarget(url="https://hooks.slack.com/x"), post=poster)
    other = post_digest(engine, settings, request_for(), BotTarget(token=TOKEN, channel="C999"), post=poster)

    assert other.receipt is not None
    assert len(targets) == 2


def test_a_failed_post_records_nothing_so_the_next_run_posts(engine: Engine, settings: Settings) -> None:
    targets: list[SlackTarget] = []
    target = BotTarget(token=TOKEN, channel=CHANNEL)

    with pytest.raises(SlackError):
        post_digest(engine, settings, request_for(), target, post=counting_poster(targets, fail=True))
    retried = post_digest(engine, settings, request_for(), target, post=counting_poster(targets))

    assert retried.receipt is not None
    assert len(targets) == 2


def test_a_week_not_over_yet_is_refused(engine: Engine, settings: Settings) -> None:
    with pytest.raises(PeriodNotOver, match="is not over yet"):
        preview_digest(engine, settings, request_for(end=datetime(2025, 3, 17, tzinfo=UTC)))
