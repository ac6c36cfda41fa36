"""`tracker digest` end to end: config, database, Slack over HTTP, output and exit codes."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import load_fixture
from tests.integration import digest_world as world
from tests.integration.slack_world import FakeSlack
from tracker import cli as cli_module
from tracker.cli import run
from tracker.cli.digest import digest
from tracker.domain import KIND_LABELS
from tracker.membership import Listing
from tracker.periods import EN_DASH
from tracker.sync.people import take_listing

TOKEN = "xoxb-1234567890-cli-secret"
CHANNEL = "C123ABC456"
WEBHOOK_PATH = "/services/T000/B000/CLISECRET"
SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_API_URL")


@pytest.fixture(autouse=True)
def digest_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registers `digest` on the CLI for the test (a no-op once tracker.cli registers it)."""
    monkeypatch.setitem(cli_module.cli.commands, "digest", digest)
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def quiet_test_server() -> Iterator[None]:
    """The local Slack's request log would mix with the command's stderr."""
    server_log = logging.getLogger("werkzeug")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    yield
    server_log.setLevel(level)


@pytest.fixture
def config(tmp_path: Path, database_url: str, engine: Engine) -> str:
    world.fill(engine)
    return str(world.write_config(tmp_path, database_url, slack=f'channel = "{CHANNEL}"'))


def tracker(capsys: pytest.CaptureFixture[str], config: str, *args: str) -> tuple[int, str, str]:
    code = run(["--config", config, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def digest_of_week(capsys: pytest.CaptureFixture[str], config: str, *args: str) -> tuple[int, str, str]:
    return tracker(capsys, config, "digest", "--end", "2025-03-10", *args)


def use_bot(monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_API_URL", httpserver.url_for("/api/"))


def slack_ok() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load_fixture("slack/chat_postMessage_ok.json"))
    return data


# --- previews -----------------------------------------------------------------------------------


def test_dry_run_prints_a_readable_digest_and_posts_nothing(
    config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    use_bot(monkeypatch, httpserver)

    code, out, _ = digest_of_week(capsys, config, "--dry-run")

    assert code == 0
    assert out.startswith(f"acme · open-source AI · 3{EN_DASH}9 March 2025\n")
    assert "This week acme gave 10 contributions to 4 open-source AI projects, from 4 people." in out
    assert "carol" not in out.lower()
    assert httpserver.log == []


def test_dry_run_json_is_the_block_kit_payload(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = digest_of_week(capsys, config, "--dry-run", "--format", "json")

    payload = json.loads(out)
    assert code == 0
    assert set(payload) == {"text", "blocks", "unfurl_links", "unfurl_media"}
    assert payload["blocks"][0]["type"] == "header"
    assert "&lt;!channel&gt;" in out
    assert "<!channel>" not in out


def _digest_totals(payload: dict[str, Any]) -> dict[str, int]:
    fields = next(block["fields"] for block in payload["blocks"] if "fields" in block)
    totals = {}
    for field in fields:
        label, value = field["text"].split("\n")
        totals[label.strip("*")] = int(value.split()[0].replace(",", ""))
    return totals


def _digest_repos(payload: dict[str, Any]) -> dict[str, int]:
    section = next(
        block for block in payload["blocks"] if "Where it went" in block.get("text", {}).get("text", "")
    )
    return {name: int(count) for name, count in re.findall(r"\|([^>]+)> · (\d+)", section["text"]["text"])}


def test_the_digest_numbers_match_tracker_stats_for_the_same_week(
    config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = digest_of_week(capsys, config, "--dry-run", "--format", "json")
    payload = json.loads(out)
    week = ["--since", "2025-03-03", "--until", "2025-03-10", "--format", "json"]
    _, by_kind, _ = tracker(capsys, config, "stats", "--by", "kind", *week)
    _, by_repo, _ = tracker(capsys, config, "stats", "--by", "repo", *week)
    _, by_login, _ = tracker(capsys, config, "stats", "--by", "login", *week)

    totals = _digest_totals(payload)
    stats_by_kind = {row["kind"]: row["total"] for row in json.loads(by_kind)}
    for kind, label in KIND_LABELS.items():
        assert totals[label[:1].upper() + label[1:]] == stats_by_kind.get(kind.value, 0)
    assert sum(stats_by_kind.values()) == 10
    assert _digest_repos(payload) == {row["repo"]: row["total"] for row in json.loads(by_repo)}
    assert totals["Contributors"] == len(json.loads(by_login)) == 4
    assert totals["Projects"] == len(json.loads(by_repo)) == 4


def test_a_departure_inside_the_week_splits_it_alike_for_the_digest_and_stats(
    config: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    # bob is no longer in the roster: his membership is what the listings saw, and the listing
    # of Wednesday noon no longer shows him. His Tuesday comment counts, his Wednesday merge not.
    roster = Path(config).parent / "roster.toml"
    roster.write_text(world.ROSTER.replace('[[member]]\nlogin = "bob"\nteam = "Research"\n', ""))
    others = [member for member in world.MEMBERS if member.login != "bob"]
    with Session(engine) as session:
        take_listing(session, Listing(tuple(world.MEMBERS), world.at("2025-03-04T12:00:00")))
        take_listing(session, Listing(tuple(others), world.at("2025-03-05T12:00:00")))
        session.commit()

    _, text, _ = digest_of_week(capsys, config, "--dry-run")
    _, out, _ = digest_of_week(capsys, config, "--dry-run", "--format", "json")
    week = ["--since", "2025-03-03", "--until", "2025-03-10", "--format", "json"]
    _, by_login, _ = tracker(capsys, config, "stats", "--by", "login", *week)
    _, rows, _ = tracker(capsys, config, "query", "--login", "bob", *week)

    assert "👋 1 person left this week" in text
    stats = {row["login"]: row["total"] for row in json.loads(by_login)}
    assert [(row["kind"], row["occurred_at"]) for row in json.loads(rows)] == [
        ("comment", "2025-03-04T11:00:00Z")
    ]
    assert stats["bob"] == 1
    assert _digest_totals(json.loads(out))["Contributors"] == len(stats) == 4
    assert sum(stats.values()) == sum(
        total
        for label, total in _digest_totals(json.loads(out)).items()
        if label not in ("Contributors", "Projects")
    )


def test_an_empty_week_says_so_kindly(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = tracker(capsys, config, "digest", "--end", "2024-06-10", "--dry-run")

    assert code == 0
    assert "🌱 A quiet week: no counted contributions from acme" in out


def test_a_monthly_digest(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = tracker(capsys, config, "digest", "--period", "month", "--end", "2025-04-01", "--dry-run")

    assert code == 0
    assert out.startswith("acme · open-source AI · March 2025\n")
    assert "This month acme gave 12 contributions" in out


def test_a_period_not_over_is_a_usage_error(config: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = tracker(capsys, config, "digest", "--end", "2999-01-10", "--dry-run")

    assert code == 2
    assert "is not over yet" in err


# --- destinations -------------------------------------------------------------------------------


def test_without_a_destination_it_says_which_variable_to_set(
    config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = digest_of_week(capsys, config)

    assert code == 2
    assert out == ""
    assert "SLACK_BOT_TOKEN" in err
    assert "SLACK_WEBHOOK_URL" in err


def test_a_token_without_a_channel_asks_for_the_channel(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = str(world.write_config(tmp_path, database_url))
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)

    code, _, err = digest_of_week(capsys, config)

    assert code == 2
    assert "[slack]" in err
    assert TOKEN not in err


# --- posting once -------------------------------------------------------------------------------


def test_posts_once_by_token_then_says_it_already_did_unless_forced(
    config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    use_bot(monkeypatch, httpserver)
    httpserver.expect_request("/api/chat.postMessage", method="POST").respond_with_json(slack_ok())

    first = digest_of_week(capsys, config)
    again = digest_of_week(capsys, config)
    forced = digest_of_week(capsys, config, "--force")

    week = f"the week 3{EN_DASH}9 March 2025"
    assert first == (0, "", f"posted the digest for {week} to channel:{CHANNEL} (ts 1503435956.000247)\n")
    assert again[0] == 0
    assert "already posted to channel:C123ABC456" in again[2]
    assert "use --force" in again[2]
    assert forced[0] == 0
    assert forced[2].startswith("posted the digest")
    assert len(httpserver.log) == 2
    request, _ = httpserver.log[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.get_json()["channel"] == CHANNEL


def test_a_refused_webhook_post_fails_records_nothing_and_the_next_run_posts(
    config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", httpserver.url_for(WEBHOOK_PATH))
    httpserver.expect_ordered_request(WEBHOOK_PATH, method="POST").respond_with_data(
        load_fixture("slack/webhook_invalid_blocks.txt"), status=400
    )
    httpserver.expect_ordered_request(WEBHOOK_PATH, method="POST").respond_with_data(
        load_fixture("slack/webhook_ok.txt")
    )

    failed = digest_of_week(capsys, config)
    posted = digest_of_week(capsys, config)

    assert failed[0] == 1
    assert "error: Slack refused the message (the webhook: invalid_blocks, HTTP 400)" in failed[2]
    assert "CLISECRET" not in failed[2]
    assert posted[0] == 0
    assert "to webhook" in posted[2]
    httpserver.check_assertions()


# --- tokens stay home ---------------------------------------------------------------------------


def test_a_redirect_is_refused_in_one_line_and_the_foreign_host_gets_nothing(
    config: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    httpserver: HTTPServer,
    httpserver_ipv4: HTTPServer,
) -> None:
    use_bot(monkeypatch, httpserver)
    httpserver.expect_request("/api/chat.postMessage").respond_with_data(
        "", status=302, headers={"Location": httpserver_ipv4.url_for("/steal")}
    )
    httpserver_ipv4.expect_request("/steal").respond_with_json(slack_ok())

    code, out, err = digest_of_week(capsys, config)

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: refused a redirect (HTTP 302) from localhost to 127.0.0.1")
    assert TOKEN not in err
    assert httpserver_ipv4.log == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SLACK_API_URL", "http://slack.example/api/"), ("SLACK_WEBHOOK_URL", "http://hooks.example/CLISECRET")],
)
def test_a_plain_http_slack_url_is_a_setup_error_naming_the_variable(
    config: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
) -> None:
    if variable == "SLACK_API_URL":
        monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(variable, value)

    code, _, err = digest_of_week(capsys, config)

    assert code == 2
    assert f"{variable} must be an https:// URL" in err
    assert "CLISECRET" not in err


# --- exactly once, whatever Slack answers ---------------------------------------------------------


def test_a_bot_post_whose_answer_is_lost_fails_in_one_line_and_the_next_run_finds_it(
    config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    use_bot(monkeypatch, httpserver)
    slack = FakeSlack(httpserver)
    slack.lose_answers = True

    lost = digest_of_week(capsys, config)
    slack.lose_answers = False
    found = digest_of_week(capsys, config)

    assert lost[0] == 1
    assert lost[2].count("\n") == 1
    assert lost[2].startswith("error: Slack gave no clear answer to the message (chat.postMessage: ")
    assert lost[2].endswith("the next run looks for it in the channel's history before posting\n")
    assert found[0] == 0
    assert f"is already in channel:{CHANNEL} (ts {slack.posts[0]['ts']})" in found[2]
    assert len(slack.posts) == 1


def test_a_webhook_post_whose_answer_is_lost_is_posted_again_only_with_force(
    config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", httpserver.url_for(WEBHOOK_PATH))
    slack = FakeSlack(httpserver, webhook_path=WEBHOOK_PATH)
    slack.lose_answers = True

    lost = digest_of_week(capsys, config)
    slack.lose_answers = False
    refused = digest_of_week(capsys, config)
    forced = digest_of_week(capsys, config, "--force")

    assert lost[0] == 1
    assert "check the channel: the next run does not post it again without --force" in lost[2]
    assert refused[0] == 1
    assert refused[2].count("\n") == 1
    assert "has no known outcome" in refused[2]
    assert "run with --force if it is missing; nothing posted" in refused[2]
    assert forced[0] == 0
    assert forced[2].startswith("posted the digest")
    assert len(slack.posts) == 2
    assert "CLISECRET" not in lost[2] + refused[2]


def test_two_tracker_digest_processes_at_once_post_once(
    config: str, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer
) -> None:
    slack = FakeSlack(httpserver)
    slack.delay = 3
    environ = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": httpserver.url_for("/api/")}
    command = [sys.executable, "-m", "tracker.cli", "--config", config, "digest", "--end", "2025-03-10"]

    runs = [
        subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(run.wait(timeout=60), run.communicate()[1]) for run in runs]

    assert len(slack.posts) == 1
    assert sorted(code for code, _ in results) in ([0, 0], [0, 1])
    for code, err in results:
        assert code == 0 or "is posting a digest right now; nothing posted" in err
