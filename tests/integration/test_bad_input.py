"""Every mistake a user can make ends in one line that says what to fix, with the documented exit
code (2: the config or the command line; 1: at run time), in the log format asked for."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tracker.cli import run
from tracker.github import client

TOKEN = "ghp_badINPUT1234567890abcdefghijklmnopqr"
ENVIRONMENT = (
    "TRACKER_CONFIG",
    "TRACKER_DATABASE_URL",
    "TRACKER_DEFAULT_DATABASE_URL",
    "TRACKER_LOG_FORMAT",
    "GITHUB_API_URL",
    "GITHUB_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_WEBHOOK_URL",
    "SLACK_API_URL",
)


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Mistake:
    """`args` and `message` may name {config} (the config file) and {port} (a closed port)."""

    args: tuple[str, ...]
    code: int
    message: str
    config: str = ""
    env: dict[str, str] = field(default_factory=dict)
    text_only: bool = False  # the mistake is in the log format itself


MISTAKES = {
    "database url of an unsupported kind": Mistake(
        ("stats",),
        2,
        "{config}: database.url: mysql databases are not supported",
        config='[database]\nurl = "mysql://tracker@db.example/tracker"\n',
    ),
    "database url that is a bare path": Mistake(
        ("stats",),
        2,
        "{config}: database.url: 'tracker.db' is not a database URL "
        "(sqlite:///PATH or postgresql+psycopg://USER@HOST/DB); for a SQLite file write sqlite:///tracker.db",
        config='[database]\nurl = "tracker.db"\n',
    ),
    "GITHUB_API_URL that is not a URL": Mistake(
        ("sync",),
        2,
        "GITHUB_API_URL: 'not a url' is not an https:// URL with a host",
        env={"GITHUB_API_URL": "not a url", "GITHUB_TOKEN": TOKEN},
    ),
    "SLACK_WEBHOOK_URL that is not a URL": Mistake(
        ("digest",),
        2,
        "SLACK_WEBHOOK_URL must be an https:// URL",
        env={"SLACK_WEBHOOK_URL": "not-a-url"},
    ),
    "SLACK_API_URL that is not a URL": Mistake(
        ("digest",),
        2,
        "SLACK_API_URL must be an https:// URL (not-a-url)",
        config='[slack]\nchannel = "C0123456789"\n',
        env={"SLACK_BOT_TOKEN": "xoxb-1234567890-abcdef", "SLACK_API_URL": "not-a-url"},
    ),
    "[slack] api_url that is not a URL, when the config loads": Mistake(
        ("repos",),
        2,
        "{config}: slack.api_url: 'slack.example/api' is not an https:// URL with a host",
        config='[slack]\napi_url = "slack.example/api"\n',
    ),
    "[slack] api_url in clear to another machine": Mistake(
        ("repos",),
        2,
        "{config}: slack.api_url: 'http://slack.example/api/' must use https://",
        config='[slack]\napi_url = "http://slack.example/api/"\n',
    ),
    "digest time zone unknown, when the config loads": Mistake(
        ("repos",),
        2,
        "{config}: digest.timezone: unknown time zone 'Mars/Olympus_Mons'",
        config='[digest]\ntimezone = "Mars/Olympus_Mons"\n',
    ),
    "unreachable API": Mistake(
        ("sync",),
        1,
        "cannot reach the GitHub API at http://127.0.0.1:{port}/orgs/acme/members: the connection was "
        "refused; check the network, and GITHUB_API_URL or [github] api_url if that is not the right "
        "address, then run again",
        env={"GITHUB_API_URL": "http://127.0.0.1:{port}", "GITHUB_TOKEN": TOKEN},
    ),
    "a day that does not exist": Mistake(
        ("query", "--since", "2026-13-01"),
        2,
        "'2026-13-01' is not a date (month must be in 1..12): write YYYY-MM-DD, e.g. 2026-03-31",
    ),
    "a date in another form": Mistake(
        ("stats", "--until", "01/03/2026"),
        2,
        "'01/03/2026' is not a date: write YYYY-MM-DD",
    ),
    "a reversed range": Mistake(
        ("query", "--since", "2026-05-01", "--until", "2026-04-01"),
        2,
        "--since 2026-05-01 is not before --until 2026-04-01: the range holds no day",
    ),
    "an empty range": Mistake(
        ("stats", "--since", "2026-05-01", "--until", "2026-05-01"),
        2,
        "--since 2026-05-01 is not before --until 2026-05-01: the range holds no day",
    ),
    "a future range": Mistake(
        ("stats", "--since", "2999-01-01", "--until", "2999-02-01"),
        2,
        "--since 2999-01-01 is in the future",
    ),
    "a sync from a day in the future": Mistake(
        ("sync", "--since", "2999-01-01"),
        2,
        "Invalid value for '--since': 2999-01-01 is in the future",
        env={"GITHUB_TOKEN": TOKEN},
    ),
    "member changes from a day in the future": Mistake(
        ("members", "--changes", "--since", "2999-01-01"),
        2,
        "Invalid value for '--since': 2999-01-01 is in the future",
    ),
    "a repo without its owner": Mistake(
        ("query", "--repo", "justname"),
        2,
        "'justname' is not owner/name (e.g. pytorch/pytorch)",
    ),
    "--config after the command": Mistake(
        ("stats", "--config", "{config}"),
        2,
        "{config}: database.url: mysql databases are not supported",
        config='[database]\nurl = "mysql://tracker@db.example/tracker"\n',
    ),
    "--config after a command of a group": Mistake(
        ("db", "upgrade", "--config", "{config}"),
        2,
        "{config}: database.url: mysql databases are not supported",
        config='[database]\nurl = "mysql://tracker@db.example/tracker"\n',
    ),
    "an unknown option": Mistake(("stats", "--sinse", "2026-01-01"), 2, "No such option '--sinse'"),
    "TRACKER_LOG_FORMAT unknown": Mistake(
        ("repos",),
        2,
        "TRACKER_LOG_FORMAT: 'xml' is not one of text, json",
        env={"TRACKER_LOG_FORMAT": "xml"},
        text_only=True,
    ),
}


@pytest.fixture
def tracker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[[Mistake, str], tuple[int, list[str], dict[str, str]]]:
    """Runs the CLI as a user would, from a directory holding a config; returns the exit code, the
    lines on stderr and the placeholders' values."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    # urllib3 still retries a refused connection five times, without the seconds between them.
    monkeypatch.setattr(client, "transient_retry", lambda: client.Retry(total=5, connect=5, backoff_factor=0))
    monkeypatch.chdir(tmp_path)

    def invoke(mistake: Mistake, log_format: str) -> tuple[int, list[str], dict[str, str]]:
        config = tmp_path / "tracker.toml"
        values = {"config": str(config), "port": str(closed_port())}
        database = f'[database]\nurl = "sqlite:///{tmp_path / "tracker.db"}"\n'
        body = mistake.config if "[database]" in mistake.config else database + mistake.config
        config.write_text('[github]\norg = "acme"\n' + body, encoding="utf-8")
        for name, value in mistake.env.items():
            monkeypatch.setenv(name, value.format(**values))
        if log_format == "json":
            monkeypatch.setenv("TRACKER_LOG_FORMAT", "json")
        args = [arg.format(**values) for arg in mistake.args]
        if "--config" not in args:
            args = ["--config", str(config), *args]
        code = run(args)
        return code, capsys.readouterr().err.splitlines(), values

    return invoke


CASES = [
    pytest.param(mistake, log_format, id=f"{name} ({log_format})")
    for name, mistake in MISTAKES.items()
    for log_format in ("text", "json")
    if log_format == "text" or not mistake.text_only
]


@pytest.mark.parametrize(("mistake", "log_format"), CASES)
def test_each_mistake_ends_in_one_line_saying_what_to_fix(
    tracker: Callable[[Mistake, str], tuple[int, list[str], dict[str, str]]],
    mistake: Mistake,
    log_format: str,
) -> None:
    code, lines, values = tracker(mistake, log_format)

    assert code == mistake.code
    expected = mistake.message.format(**values)
    if log_format == "text":
        problems = [line for line in lines if line.startswith(("error:", "warning:", "Error:", "Usage:"))]
        assert problems == [lines[-1]], lines
        assert lines[-1].startswith("error: ") and expected in lines[-1]
    else:
        entries = [json.loads(line) for line in lines]  # every line, the last one included
        problems = [entry for entry in entries if entry["level"] in ("warning", "error")]
        assert problems == [entries[-1]], lines
        assert entries[-1]["level"] == "error" and expected in entries[-1]["message"]
    assert TOKEN not in "\n".join(lines)
    assert not any("Retrying" in line or "Traceback" in line for line in lines)


@pytest.mark.parametrize("options", [["--log-format", "json"], ["--log-format", "json", "--debug"]])
def test_global_options_after_the_command_apply_to_every_line(
    tracker: Callable[[Mistake, str], tuple[int, list[str], dict[str, str]]], options: list[str]
) -> None:
    mistake = Mistake(("repos", *options), 2, "unknown time zone", config='[digest]\ntimezone = "Nowhere"\n')

    code, lines, _ = tracker(mistake, "text")

    assert code == 2
    entries = [json.loads(line) for line in lines]
    assert entries[-1]["level"] == "error" and "digest.timezone: unknown time zone" in entries[-1]["message"]
    assert any(entry["level"] == "debug" for entry in entries) == ("--debug" in options)


def test_a_config_given_after_the_command_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "tracker.toml").write_text('[github]\norg = "acme"\n[repos]\ninclude = ["acme/tool"]\n')

    assert run(["--config", "missing.toml", "repos", "--config", str(elsewhere / "tracker.toml")]) == 0
    assert run(["db", "upgrade", "--config", str(elsewhere / "tracker.toml")]) == 0

    assert (elsewhere / "tracker.db").exists()  # relative to the config given after the command
    assert "database at revision" in capsys.readouterr().err
