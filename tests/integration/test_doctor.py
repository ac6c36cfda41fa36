"""`tracker doctor`: one line per check, each failure named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from pytest_httpserver import HTTPServer
from sqlmodel import Session

from tests.integration.sync_support import write_config
from tracker.cli import run
from tracker.doctor import Check, Status, run_checks
from tracker.domain import OrgMember
from tracker.membership import Listing
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.sync.people import take_listing

TOKEN = "ghp_doctorTEST000000000000000000000000000"
API = r"https://api\.github\.com(:443)?"


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    write_config(tmp_path, database_url)
    return tmp_path / "tracker.toml"


def environment(database_url: str, **extra: str) -> dict[str, str]:
    return {"GITHUB_TOKEN": TOKEN, "TRACKER_DATABASE_URL": database_url, **extra}


@pytest.fixture
def github() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def healthy_github(mock: responses.RequestsMock, scopes: str = "read:org, repo") -> None:
    mock.get(
        re.compile(API + "/user"),
        json={"login": "ospo-bot", "type": "User"},
        headers={"x-oauth-scopes": scopes},
    )
    mock.get(re.compile(API + "/orgs/acme$"), json={"login": "acme", "type": "Organization"})
    mock.get(re.compile(API + r"/orgs/acme/members.*"), json=[{"login": "fay", "type": "User"}])
    mock.get(
        re.compile(API + "/rate_limit"),
        json={
            "resources": {
                "core": {"limit": 5000, "remaining": 4999},
                "search": {"limit": 30, "remaining": 30},
            }
        },
    )


def test_a_healthy_setup_reports_ok_lines(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)

    checks = by_name(run_checks(str(config), environment(database_url)))

    assert checks["config"].status is Status.OK and "org acme" in checks["config"].detail
    assert checks["github"].status is Status.OK
    assert "token of ospo-bot" in checks["github"].detail and "core 4999/5000" in checks["github"].detail
    assert (
        checks["database"].status is Status.WARN
        and "applied on the next command" in checks["database"].detail
    )
    assert checks["slack"].status is Status.WARN and "SLACK_BOT_TOKEN" in checks["slack"].detail


def test_a_membership_listing_held_back_is_reported_with_what_to_run(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    team = tuple(
        OrgMember(login, "User", index) for index, login in enumerate(("ada", "bob", "cy", "di", "ed"))
    )
    with Session(engine) as session:
        take_listing(session, Listing(team, datetime(2026, 11, 27, 12, tzinfo=UTC)))
        take_listing(session, Listing(team[:1], datetime(2026, 11, 28, 12, tzinfo=UTC)))
        session.commit()
    engine.dispose()

    check = by_name(run_checks(str(config), environment(database_url)))["database"]

    assert check.status is Status.WARN
    assert (
        "membership held back: the listing of acme at 2026-11-28 12:00 UTC lacks 4 of the 5 members "
        "listed before; if they left, run `tracker sync --accept-membership-change`"
    ) in check.detail


def test_a_broken_config_is_one_failing_line(tmp_path: Path) -> None:
    (tmp_path / "tracker.toml").write_text("[github]\norg = 3\n")

    (check,) = run_checks(str(tmp_path / "tracker.toml"), {})

    assert check.status is Status.FAIL and "github.org" in check.detail


def test_a_missing_token_fails_the_github_check(config: Path, database_url: str) -> None:
    checks = by_name(run_checks(str(config), {"TRACKER_DATABASE_URL": database_url}))

    assert checks["github"].status is Status.FAIL and "GITHUB_TOKEN is not set" in checks["github"].detail


def test_a_rejected_token_fails_without_showing_it(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    github.get(re.compile(API + "/user"), status=401, json={"message": "Bad credentials"})

    check = by_name(run_checks(str(config), environment(database_url)))["github"]

    assert (
        check.status is Status.FAIL
        and "GitHub rejected the token" in check.detail
        and TOKEN not in check.detail
    )


def test_an_unknown_organization_fails(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    github.get(re.compile(API + "/user"), json={"login": "ospo-bot"})
    github.get(re.compile(API + "/orgs/acme$"), status=404, json={"message": "Not Found"})

    check = by_name(run_checks(str(config), environment(database_url)))["github"]

    assert check.status is Status.FAIL and "organization 'acme' not found" in check.detail


def test_a_token_without_read_org_is_a_warning(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github, scopes="public_repo")

    check = by_name(run_checks(str(config), environment(database_url)))["github"]

    assert check.status is Status.WARN and "lacks read:org" in check.detail


def test_an_unreachable_database_fails(config: Path, github: responses.RequestsMock) -> None:
    healthy_github(github)
    url = "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/nothing"

    check = by_name(run_checks(str(config), environment(url)))["database"]

    assert check.status is Status.FAIL and "s3cret" not in check.detail and "127.0.0.1:1" in check.detail


def test_a_webhook_that_is_not_slacks_fails(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    env = environment(database_url, SLACK_WEBHOOK_URL="https://example.com/hook")

    check = by_name(run_checks(str(config), env))["slack"]

    assert check.status is Status.FAIL and "does not look like a Slack incoming webhook" in check.detail


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"SLACK_WEBHOOK_URL": "http://hooks.slack.com/services/T/B/SECRETPATH"}, "SLACK_WEBHOOK_URL"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-0000-doctor", "SLACK_API_URL": "http://slack.example/api/"},
            "SLACK_API_URL",
        ),
    ],
)
def test_a_slack_url_that_is_not_https_fails_by_its_shape(
    tmp_path: Path,
    database_url: str,
    github: responses.RequestsMock,
    httpserver: HTTPServer,
    variables: dict[str, str],
    named: str,
) -> None:
    healthy_github(github)
    write_config(tmp_path, database_url)
    config = tmp_path / "tracker.toml"
    config.write_text(config.read_text() + '\n[slack]\nchannel = "C0123456789"\n')

    check = by_name(run_checks(str(config), environment(database_url, **variables)))["slack"]

    assert check.status is Status.FAIL
    assert check.detail.startswith(f"{named} must be an https:// URL")
    assert "SECRETPATH" not in check.detail and "xoxb" not in check.detail
    assert httpserver.log == []


def test_a_bot_token_is_checked_with_auth_test(
    tmp_path: Path, database_url: str, github: responses.RequestsMock, httpserver: HTTPServer
) -> None:
    healthy_github(github)
    write_config(tmp_path, database_url)
    config = tmp_path / "tracker.toml"
    config.write_text(config.read_text() + '\n[slack]\nchannel = "C0123456789"\n')
    httpserver.expect_request("/api/auth.test").respond_with_json(
        {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "tracker",
            "team_id": "T1",
            "user_id": "U1",
        }
    )
    env = environment(
        database_url, SLACK_BOT_TOKEN="xoxb-0000-doctor", SLACK_API_URL=httpserver.url_for("/api/")
    )

    check = by_name(run_checks(str(config), env))["slack"]

    assert check.status is Status.OK and "bot tracker in workspace Acme" in check.detail


def test_a_rejected_bot_token_fails(
    tmp_path: Path, database_url: str, github: responses.RequestsMock, httpserver: HTTPServer
) -> None:
    healthy_github(github)
    write_config(tmp_path, database_url)
    config = tmp_path / "tracker.toml"
    config.write_text(config.read_text() + '\n[slack]\nchannel = "C0123456789"\n')
    httpserver.expect_request("/api/auth.test").respond_with_json({"ok": False, "error": "invalid_auth"})
    env = environment(
        database_url, SLACK_BOT_TOKEN="xoxb-0000-doctor", SLACK_API_URL=httpserver.url_for("/api/")
    )

    check = by_name(run_checks(str(config), env))["slack"]

    assert check.status is Status.FAIL and "invalid_auth" in check.detail and "xoxb" not in check.detail


def test_the_command_exits_1_when_a_check_fails(
    config: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)

    assert run(["--config", str(config), "doctor"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^FAIL\s+github\s+GITHUB_TOKEN is not set$", out, flags=re.MULTILINE)
    assert re.search(r"^ok\s+config\s+", out, flags=re.MULTILINE)


# --- the bot --------------------------------------------------------------------------------------


def slack_with_bot(httpserver: HTTPServer, *, app_token_error: str | None = None) -> None:
    httpserver.expect_request("/api/auth.test").respond_with_json(
        {"ok": True, "team": "Acme", "user": "tracker", "team_id": "T1", "user_id": "U1"}
    )
    answer = {"ok": False, "error": app_token_error} if app_token_error else {"ok": True, "url": "wss://x/"}
    httpserver.expect_request("/api/apps.connections.open").respond_with_json(answer)


def test_without_bot_secrets_the_bot_is_not_set_up_and_that_is_fine(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)

    check = by_name(run_checks(str(config), environment(database_url)))["bot"]

    assert check.status is Status.OK and check.detail.startswith("not set up (optional)")


def test_the_bot_over_socket_mode_has_both_tokens_checked(
    config: Path, database_url: str, github: responses.RequestsMock, httpserver: HTTPServer
) -> None:
    healthy_github(github)
    slack_with_bot(httpserver)
    env = environment(
        database_url,
        SLACK_BOT_TOKEN="xoxb-0000-doctor",
        SLACK_APP_TOKEN="xapp-1-A1-doctor",
        SLACK_API_URL=httpserver.url_for("/api/"),
    )

    check = by_name(run_checks(str(config), env))["bot"]

    assert check.status is Status.OK
    assert check.detail.startswith("bot tracker in workspace Acme; tracker bot uses Socket Mode")
    (opened,) = [request for request, _ in httpserver.log if request.path == "/api/apps.connections.open"]
    assert opened.headers["Authorization"] == "Bearer xapp-1-A1-doctor"


def test_the_bot_over_http_says_where_slack_must_reach_it(
    config: Path, database_url: str, github: responses.RequestsMock, httpserver: HTTPServer
) -> None:
    healthy_github(github)
    slack_with_bot(httpserver)
    env = environment(
        database_url,
        SLACK_BOT_TOKEN="xoxb-0000-doctor",
        SLACK_SIGNING_SECRET="s3cr3t-signing",
        SLACK_API_URL=httpserver.url_for("/api/"),
    )

    check = by_name(run_checks(str(config), env))["bot"]

    assert check.status is Status.OK
    assert "tracker bot uses HTTP on port 3000 (or --port), path /slack/events" in check.detail


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"SLACK_SIGNING_SECRET": "s3cr3t-signing"}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-0000-doctor", "SLACK_APP_TOKEN": "xapp-1-A1-doctor"},
         "Slack rejected SLACK_APP_TOKEN (invalid_auth)"),
    ],
)  # fmt: skip
def test_a_bot_secret_missing_or_refused_fails_without_showing_it(
    config: Path,
    database_url: str,
    github: responses.RequestsMock,
    httpserver: HTTPServer,
    extra: dict[str, str],
    message: str,
) -> None:
    healthy_github(github)
    slack_with_bot(httpserver, app_token_error="invalid_auth")
    env = environment(database_url, SLACK_API_URL=httpserver.url_for("/api/"), **extra)

    check = by_name(run_checks(str(config), env))["bot"]

    assert check.status is Status.FAIL and message in check.detail
    assert "xapp-1" not in check.detail and "s3cr3t" not in check.detail
