"""The digest against a real store and a local HTTP server answering as Slack documents."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from tests.integration import digest_world as world
from tests.integration.slack_world import (
    CHANNEL,
    TOKEN,
    WEBHOOK_PATH,
    FakeSlack,
    bot,
    expect_post,
    expect_webhook,
    sent,
    slack_json,
    webhook,
)
from tracker.cancel import Cancelled, CancelToken
from tracker.config import Settings
from tracker.counting import QueryFilter, counted_contributions, counted_groups
from tracker.digest import once
from tracker.digest.once import DigestOutcomeUnknown, DigestPostError, Poster
from tracker.digest.post import (
    DigestRequest,
    PeriodNotOver,
    post_digest,
    post_scheduled_digest,
    preview_digest,
    scheduled_digest_job,
)
from tracker.domain import Kind
from tracker.reports import group_totals
from tracker.slack.errors import SlackError
from tracker.slack.post import PostReceipt
from tracker.slack.targets import BotTarget, SlackTarget, WebhookTarget
from tracker.slack.waits import Waits
from tracker.store.contributions import upsert_contributions
from tracker.store.digests import (
    DigestPostRow,
    DigestPostStatus,
    claim_digest_post,
    get_digest_post,
    record_digest_post,
    settle_digest_claim,
)
from tracker.store.engine import StoreError

NOW = datetime(2025, 3, 10, 9, tzinfo=UTC)


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


SLOT: dict[str, Any] = {
    "period_kind": "week",
    "period_start": world.WEEK_START,
    "destination": f"channel:{CHANNEL}",
}


def claim(session: Session, at: datetime = NOW) -> DigestPostRow:
    return claim_digest_post(session, **SLOT, period_end=world.WEEK_END, claimed_at=at)


def stored(engine: Engine) -> list[tuple[str, datetime, datetime | None, str | None]]:
    with Session(engine) as session:
        rows = session.exec(select(DigestPostRow)).all()
        return [(row.status, row.claimed_at, row.posted_at, row.message_ts) for row in rows]


def test_a_claim_is_kept_before_the_post_and_becomes_posted_after_it(engine: Engine) -> None:
    with Session(engine) as session:
        claim(session)
        session.commit()
    claimed = stored(engine)
    with Session(engine) as session:
        record(session, ts="1.1", posted_at=NOW + timedelta(seconds=2))
        session.commit()

    assert claimed == [(DigestPostStatus.CLAIMED, NOW, None, None)]
    assert stored(engine) == [(DigestPostStatus.POSTED, NOW, NOW + timedelta(seconds=2), "1.1")]


def test_a_second_attempt_keeps_the_first_attempt_s_time(engine: Engine) -> None:
    later = NOW + timedelta(days=1)
    with Session(engine) as session:
        claim(session)
        session.commit()
        settle_digest_claim(session, **SLOT, status=DigestPostStatus.UNKNOWN)
        session.commit()
        claim(session, at=later)
        session.commit()

    assert stored(engine) == [(DigestPostStatus.CLAIMED, NOW, None, None)]


def test_settling_a_claim_removes_a_first_attempt_or_sets_the_outcome(engine: Engine) -> None:
    with Session(engine) as session:
        claim(session)
        session.commit()
        settle_digest_claim(session, **SLOT, status=None)
        session.commit()
    removed = stored(engine)
    with Session(engine) as session:
        claim(session)
        session.commit()
        settle_digest_claim(session, **SLOT, status=DigestPostStatus.UNKNOWN)
        session.commit()

    assert removed == []
    assert stored(engine) == [(DigestPostStatus.UNKNOWN, NOW, None, None)]


def test_settling_leaves_a_posted_digest_alone(engine: Engine) -> None:
    with Session(engine) as session:
        record(session, ts="1.1")
        session.commit()
        settle_digest_claim(session, **SLOT, status=None)
        session.commit()

    assert stored(engine) == [(DigestPostStatus.POSTED, NOW, NOW, "1.1")]


def test_the_database_refuses_two_records_of_one_period_and_destination(engine: Engine) -> None:
    def row() -> DigestPostRow:
        return DigestPostRow(
            period_kind="week",
            period_start=world.WEEK_START,
            period_end=world.WEEK_END,
            destination="webhook",
            claimed_at=NOW,
            posted_at=NOW,
        )

    with Session(engine) as session:
        session.add(row())
        session.commit()
        session.add(row())
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


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
    def post(
        target: SlackTarget, payload: Mapping[str, Any], *, metadata: Mapping[str, Any] | None, waits: Waits
    ) -> PostReceipt:
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


def test_the_scheduled_job_posts_with_its_clock_and_logs_what_it_did(
    engine: Engine, settings: Settings, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    expect_webhook(httpserver, "ok")
    environ = {"SLACK_WEBHOOK_URL": httpserver.url_for(WEBHOOK_PATH)}

    job = scheduled_digest_job(engine, settings, environ=environ, clock=lambda: NOW)
    assert job is not None
    with caplog.at_level(logging.INFO, logger="tracker"):
        job()

    assert len(httpserver.log) == 1
    (line,) = [record for record in caplog.records if getattr(record, "job", None) == "digest"]
    assert line.getMessage().startswith("posted the digest for the week")


def test_without_a_slack_destination_there_is_no_scheduled_job(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert scheduled_digest_job(engine, settings, environ={}) is None
    assert "the digest job is off" in caplog.text


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

    with pytest.raises(
        DigestPostError, match=r"not_in_channel.*nothing was posted, the next run will try again"
    ):
        post_digest(engine, settings, request_for(), target, post=counting_poster(targets, fail=True))
    retried = post_digest(engine, settings, request_for(), target, post=counting_poster(targets))

    assert retried.receipt is not None
    assert len(targets) == 2


def test_a_week_not_over_yet_is_refused(engine: Engine, settings: Settings) -> None:
    with pytest.raises(PeriodNotOver, match="is not over yet"):
        preview_digest(engine, settings, request_for(end=datetime(2025, 3, 17, tzinfo=UTC)))


# --- exactly once, whatever Slack answers ---------------------------------------------------------


@pytest.fixture
def slack(httpserver: HTTPServer) -> FakeSlack:
    return FakeSlack(httpserver)


def the_record(engine: Engine, destination: str = f"channel:{CHANNEL}") -> DigestPostRow | None:
    with Session(engine) as session:
        return get_digest_post(
            session, period_kind="week", period_start=world.WEEK_START, destination=destination
        )


def test_a_bot_post_carries_the_digest_s_metadata_in_slack_s_shape(
    engine: Engine, settings: Settings, httpserver: HTTPServer, slack: FakeSlack
) -> None:
    post_digest(engine, settings, request_for(), bot(httpserver))

    (posted,) = slack.posts
    assert posted["metadata"] == {
        "event_type": "tracker_digest",
        "event_payload": {"period": "week 2025-03-03T00:00:00Z", "organization": "acme"},
    }


def test_two_digests_at_once_post_once(
    engine: Engine, settings: Settings, httpserver: HTTPServer, slack: FakeSlack
) -> None:
    slack.delay = 1.5
    outcomes: list[str] = []

    def run() -> None:
        try:
            outcomes.append(post_digest(engine, settings, request_for(), bot(httpserver)).summary())
        except DigestPostError as problem:
            outcomes.append(str(problem))

    first = threading.Thread(target=run)
    first.start()
    while not slack.posts and first.is_alive():
        time.sleep(0.05)
    run()
    first.join()

    assert len(slack.posts) == 1
    assert sorted(outcome.split(" ", 1)[0] for outcome in outcomes) == ["another", "posted"]
    assert "is posting a digest right now; nothing posted" in " ".join(outcomes)


def test_a_post_slack_accepts_then_answers_500_is_sent_once_and_found_by_the_next_run(
    engine: Engine, settings: Settings, httpserver: HTTPServer, slack: FakeSlack
) -> None:
    slack.lose_answers = True

    with pytest.raises(DigestOutcomeUnknown) as lost:
        post_digest(engine, settings, request_for(), bot(httpserver))
    unknown = the_record(engine)
    slack.lose_answers = False
    again = post_digest(engine, settings, request_for(), bot(httpserver))

    assert str(lost.value).endswith(
        "it may or may not have been posted; "
        "the next run looks for it in the channel's history before posting"
    )
    assert unknown is not None and unknown.status == DigestPostStatus.UNKNOWN
    assert len(slack.posts) == 1
    assert again.receipt is None
    assert again.delivery.found_ts == slack.posts[0]["ts"]
    assert "is already in channel:C123ABC456" in again.summary()
    recorded = the_record(engine)
    assert recorded is not None
    assert (recorded.status, recorded.message_ts) == (DigestPostStatus.POSTED, slack.posts[0]["ts"])


def test_an_unknown_outcome_not_found_in_the_channel_is_posted(
    engine: Engine, settings: Settings, httpserver: HTTPServer, slack: FakeSlack
) -> None:
    with Session(engine) as session:
        claim_digest_post(session, **SLOT, period_end=world.WEEK_END, claimed_at=NOW - timedelta(hours=1))
        session.commit()

    outcome = post_digest(engine, settings, request_for(), bot(httpserver))

    assert outcome.receipt is not None
    assert len(slack.posts) == 1
    paths = [request.path for request, _ in httpserver.log]
    assert paths == ["/api/conversations.history", "/api/chat.postMessage"]


def test_a_webhook_post_whose_answer_is_lost_is_not_sent_again_without_force(
    engine: Engine, settings: Settings, httpserver: HTTPServer, slack: FakeSlack
) -> None:
    target = webhook(httpserver)
    slack.lose_answers = True

    with pytest.raises(DigestOutcomeUnknown, match=r"check the channel: the next run does not post it again"):
        post_digest(engine, settings, request_for(), target)
    slack.lose_answers = False
    with pytest.raises(
        DigestOutcomeUnknown, match=r"has no known outcome .* run with --force if it is missing"
    ):
        post_digest(engine, settings, request_for(), target)
    refused = len(slack.posts)
    forced = post_digest(engine, settings, request_for(), target, force=True)

    assert refused == 1
    assert forced.receipt is not None
    assert len(slack.posts) == 2
    recorded = the_record(engine, "webhook")
    assert recorded is not None and recorded.status == DigestPostStatus.POSTED


@pytest.mark.parametrize("kind", ["bot", "webhook"])
def test_a_database_that_fails_after_the_post_does_not_make_the_next_run_post_again(
    engine: Engine,
    settings: Settings,
    httpserver: HTTPServer,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    target = bot(httpserver) if kind == "bot" else webhook(httpserver)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.OperationalError("UPDATE digest_post", {}, OSError("disk I/O error"))

    with monkeypatch.context() as patched:
        patched.setattr(once, "record_digest_post", disk_full)
        with pytest.raises(StoreError, match=r"was posted but could not be recorded \(disk I/O error\)"):
            post_digest(engine, settings, request_for(), target)
    if kind == "bot":
        again = post_digest(engine, settings, request_for(), target)
        assert again.delivery.found_ts == slack.posts[0]["ts"]
    else:
        with pytest.raises(DigestOutcomeUnknown, match=r"--force"):
            post_digest(engine, settings, request_for(), target)

    assert len(slack.posts) == 1


def test_a_history_that_cannot_be_read_posts_nothing(
    engine: Engine, settings: Settings, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/conversations.history").respond_with_json(
        slack_json("conversations_history_missing_scope")
    )
    with Session(engine) as session:
        claim_digest_post(session, **SLOT, period_end=world.WEEK_END, claimed_at=NOW)
        session.commit()

    with pytest.raises(DigestPostError, match=r"could not check whether an earlier post .* channels:history"):
        post_digest(engine, settings, request_for(), bot(httpserver))

    assert [request.path for request, _ in httpserver.log] == ["/api/conversations.history"]


def test_a_wait_over_the_cap_posts_nothing_and_leaves_no_claim(
    engine: Engine, settings: Settings, httpserver: HTTPServer
) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ratelimited"), status=429, **{"Retry-After": "inf"})

    with pytest.raises(DigestPostError) as raised:
        post_digest(engine, settings, request_for(), bot(httpserver))

    assert str(raised.value) == (
        "Slack asked to wait inf s, more than the cap of 300 s ([slack] max_wait_seconds); "
        "nothing was posted, the next run will try again"
    )
    assert the_record(engine) is None


def test_a_stop_during_a_wait_posts_nothing_and_leaves_no_claim(
    engine: Engine, settings: Settings, httpserver: HTTPServer
) -> None:
    expect_post(httpserver, slack_json("chat_postMessage_ratelimited"), status=429, **{"Retry-After": "120"})
    cancel = CancelToken()
    threading.Timer(0.5, cancel.request).start()

    with pytest.raises(Cancelled):
        post_digest(engine, settings, request_for(), bot(httpserver), cancel=cancel)

    assert the_record(engine) is None
