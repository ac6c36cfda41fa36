"""`tracker bot` and `tracker schedule --bot` as an operator runs them: secrets from the environment
(exit 2 naming what is missing), and a process that answers and stops cleanly on SIGTERM."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.engine import Engine

from tests.integration import bot_world as bot
from tests.integration.test_bot_app import BOT_USER, SECRET, TOKEN, command_body, slash, wait_for
from tracker.cli import run

SLACK_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "SLACK_WEBHOOK_URL",
)


@pytest.fixture
def slack(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/api/auth.test").respond_with_json(
        {"ok": True, "user": "tracker", "user_id": BOT_USER, "team": "Acme", "team_id": "T0ACME"}
    )
    httpserver.expect_request("/respond", method="POST").respond_with_data("ok")
    return httpserver


@pytest.fixture
def config(tmp_path: Path, database_url: str, engine: Engine) -> Path:
    settings = bot.filled(tmp_path, database_url, engine)
    settings.path.write_text(
        settings.path.read_text(encoding="utf-8").replace("[slack]\n", '[slack]\nchannel = "C0DIGEST1"\n')
        + '\n[schedule]\nsync = "0 0 1 1 *"\ndigest = ""\n',
        encoding="utf-8",
    )
    return settings.path


@pytest.fixture(autouse=True)
def quiet_test_server() -> Iterator[None]:
    """The local Slack's request log would mix with the command's stderr."""
    server_log = logging.getLogger("werkzeug")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    yield
    server_log.setLevel(level)


@pytest.fixture(autouse=True)
def no_slack_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SLACK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def tracker(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str]:
    code = run(["--config", str(config), *args])
    return code, capsys.readouterr().err


# --- secrets --------------------------------------------------------------------------------------


def test_over_http_a_missing_signing_secret_is_exit_2_naming_it(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)

    code, err = tracker(capsys, config, "bot")

    assert code == 2
    assert "SLACK_SIGNING_SECRET is not set" in err
    assert TOKEN not in err


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SLACK_SIGNING_SECRET": SECRET}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "SLACK_APP_TOKEN must be"),
        ({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "http://slack.example/api/"},
         "SLACK_API_URL must be an https:// URL"),
    ],
)  # fmt: skip
def test_a_missing_or_wrong_secret_is_exit_2_naming_it(
    config: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
    named: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    code, err = tracker(capsys, config, "bot")

    assert code == 2
    assert named in err
    assert SECRET not in err and "xoxb-not-an" not in err


def test_a_bot_token_slack_refuses_is_exit_1(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/auth.test").respond_with_json({"ok": False, "error": "invalid_auth"})
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", httpserver.url_for("/api/"))

    code, err = tracker(capsys, config, "bot")

    assert code == 1
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in err
    assert TOKEN not in err


# --- the process ----------------------------------------------------------------------------------


def background(config: Path, slack: HTTPServer, *args: str) -> subprocess.Popen[str]:
    environment = {name: value for name, value in os.environ.items() if name not in SLACK_VARIABLES}
    environment.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.url_for("/api/"),
        GITHUB_TOKEN="ghp_bot0test0000000000000000000000000000",
        TRACKER_HEARTBEAT_FILE=str(config.parent / "heartbeat"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "--config", str(config), *args],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def port_of(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, list[str]]:
    """The port from the bot's start line, and the lines read until then."""
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        found = re.search(r"answering over HTTP on port (\d+)", line)
        if found:
            return int(found.group(1)), lines
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"the bot never started (exit code {process.poll()}): {''.join(lines)}")


def stop(process: subprocess.Popen[str]) -> tuple[int, str, float]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    assert process.stderr is not None
    return code, process.stderr.read(), time.monotonic() - started


@pytest.mark.parametrize("command", [["bot"], ["schedule", "--bot"]], ids=["bot", "schedule --bot"])
def test_the_process_answers_then_stops_cleanly_on_sigterm(
    config: Path, slack: HTTPServer, command: list[str]
) -> None:
    process = background(config, slack, *command, "--port", "0")
    try:
        port, _ = port_of(process)
        status, _ = slash(port, command_body(slack, "week"))
        (answer,) = wait_for(slack, "/respond", timeout=30)
        code, after, took = stop(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    assert status == 200
    assert "acme to open-source AI projects in the week" in answer.get_json()["text"]
    assert code == 0
    assert took < 10
    assert "bot stopped" in after
    if command[0] == "schedule":
        assert "scheduler stopped" in after
        assert (config.parent / "heartbeat").exists()
