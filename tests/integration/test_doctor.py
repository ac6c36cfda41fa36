"""`tracker doctor`: one line per check, each failure named."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from pytest_httpserver import HTTPServer
from sqlmodel import Session

from jobs.triggers import next_fire_time
from tests.integration.sync_support import write_config
from tracker.cli import run
from tracker.doctor import Check, Status
from tracker.doctor import run_checks as doctor_checks
from tracker.domain import OrgMember
from tracker.membership import Listing
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.runs import start_sync_run
from tracker.sync.people import take_listing

TOKEN = "ghp_doctorTEST000000000000000000000000000"
API = r"https://api\.github\.com(:443)?"


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def run_checks(config: str, environ: dict[str, str], *, post_test: bool = False) -> list[Check]:
    """Doctor's checks as `tracker doctor` runs them: the schedule read by the scheduler's parser."""
    return doctor_checks(config, environ, next_run=next_fire_time, post_test=post_test)


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

    config, environment_line = run_checks(str(tmp_path / "tracker.toml"), {})

    assert config.status is Status.FAIL and "github.org" in config.detail
    assert environment_line.name == "env" and "GITHUB_TOKEN unset" in environment_line.detail


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
    github.get(
        re.compile(API + "/orgs/acme$"),
        status=404,
        json={"message": "Not Found", "documentation_url": "https://docs.github.com/rest"},
        headers={"x-github-request-id": "ABCD:1234"},
    )

    check = by_name(run_checks(str(config), environment(database_url)))["github"]

    assert check.status is Status.FAIL
    assert check.detail == (
        "organization: GET /orgs/acme at https://api.github.com answered 404: no organization 'acme' "
        f"there, or the token cannot see it; check [github] org in {config} (request id ABCD:1234)"
    )


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


def test_a_webhook_on_another_https_host_passes_by_its_shape_without_a_request(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    webhook = "https://hooks.slack-proxy.acme.example/T0/B0/SECRETPATH"
    env = environment(database_url, SLACK_WEBHOOK_URL=webhook)

    check = by_name(run_checks(str(config), env))["slack"]

    assert check.status is Status.OK
    assert check.detail.startswith("SLACK_WEBHOOK_URL set (an https:// URL); a webhook cannot be checked")
    assert "SECRETPATH" not in check.detail and "acme.example" not in check.detail
    assert [call.request.url for call in github.calls if "slack" in (call.request.url or "")] == []


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
    assert re.search(r"^FAIL\s+github\s+GITHUB_TOKEN is not set: export a GitHub token", out, flags=re.M)
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
    assert check.detail.startswith("auth.test: bot tracker in workspace Acme; tracker bot uses Socket Mode")
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


# --- GitHub: each failure named by the request that failed and what it means ---------------------


def test_a_token_refused_on_get_user_is_the_token_not_the_organization(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    github.get(
        re.compile(API + "/user"),
        status=401,
        json={"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
        headers={"x-github-request-id": "AB12:1"},
    )

    check = by_name(run_checks(str(config), environment(database_url)))["github"]

    assert check.status is Status.FAIL
    assert check.detail == (
        "token invalid: GET /user at https://api.github.com: GitHub rejected the token (Bad credentials); "
        "check GITHUB_TOKEN (HTTP 401, request id AB12:1)"
    )
    assert [call.request.path_url for call in github.calls] == ["/user"]


@pytest.mark.parametrize(
    ("headers", "message", "needed"),
    [
        (
            {"x-oauth-scopes": "repo, gist", "x-accepted-oauth-scopes": "admin:org, read:org, write:org"},
            "Must have admin rights to Repository.",
            "it needs one of the scopes admin:org, read:org, write:org (the token has: repo, gist)",
        ),
        (
            {"x-accepted-github-permissions": "members=read"},
            "Resource not accessible by personal access token",
            "it needs the permission members=read (X-Accepted-GitHub-Permissions)",
        ),
        (
            {"x-github-sso": "required; url=https://github.com/orgs/acme/sso?authorization_request=ONETIME"},
            "Resource protected by organization SAML enforcement. You must grant your Personal Access "
            "token access to this organization.",
            "the token is not authorized for the organization's SAML single sign-on (Configure SSO)",
        ),
    ],
)
def test_a_403_names_the_missing_scope_or_permission(
    config: Path,
    database_url: str,
    github: responses.RequestsMock,
    headers: dict[str, str],
    message: str,
    needed: str,
) -> None:
    healthy_github(github)
    github.replace(
        responses.GET,
        re.compile(API + r"/orgs/acme/members.*"),
        status=403,
        json={"message": message, "documentation_url": "https://docs.github.com/rest"},
        headers={"x-github-request-id": "CD34:5", "x-ratelimit-remaining": "4990", **headers},
    )

    check = by_name(run_checks(str(config), environment(database_url)))["github"]

    assert check.status is Status.FAIL
    assert check.detail == (
        "permissions: GET /orgs/acme/members?per_page=1 at https://api.github.com: GitHub refused "
        f"/orgs/acme/members: {message}; {needed} (HTTP 403, request id CD34:5)"
    )
    assert "ONETIME" not in check.detail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_api_is_named_by_its_url_without_credentials(config: Path, database_url: str) -> None:
    port = free_port()
    env = environment(database_url, GITHUB_API_URL=f"http://ops:hunter2pass@127.0.0.1:{port}/api/v3")

    started = time.monotonic()
    check = by_name(run_checks(str(config), env))["github"]

    assert check.status is Status.FAIL
    assert check.detail == (
        f"unreachable: GET http://127.0.0.1:{port}/api/v3/user: connection refused; "
        "check GITHUB_API_URL or [github] api_url, and the network (DNS, proxy, firewall)"
    )
    assert time.monotonic() - started < 10


# --- Slack: --post-test posts for real ------------------------------------------------------------


def slack_config(tmp_path: Path, database_url: str) -> Path:
    write_config(tmp_path, database_url)
    config = tmp_path / "tracker.toml"
    config.write_text(config.read_text() + '\n[slack]\nchannel = "C0123456789"\n')
    return config


def test_post_test_posts_a_message_through_the_webhook(
    config: Path, database_url: str, github: responses.RequestsMock, httpserver: HTTPServer
) -> None:
    healthy_github(github)
    httpserver.expect_oneshot_request("/services/T0/B0/SECRETPATH", method="POST").respond_with_data("ok")
    env = environment(database_url, SLACK_WEBHOOK_URL=httpserver.url_for("/services/T0/B0/SECRETPATH"))

    without = by_name(run_checks(str(config), env))["slack"]
    assert httpserver.log == []
    check = by_name(run_checks(str(config), env, post_test=True))["slack"]

    assert without.status is Status.OK and check.status is Status.OK
    assert check.detail.endswith(
        "; --post-test: posted a test message through SLACK_WEBHOOK_URL (the webhook answered ok)"
    )
    assert check.detail.startswith("SLACK_WEBHOOK_URL set (an http:// URL to this machine)")
    ((request, _),) = httpserver.log
    assert request.get_json()["text"].startswith("A test message from `tracker doctor --post-test` for acme")
    assert "SECRETPATH" not in check.detail and str(httpserver.port) not in check.detail


def test_post_test_posts_with_the_bot_token_to_the_configured_channel(
    tmp_path: Path, database_url: str, github: responses.RequestsMock, httpserver: HTTPServer
) -> None:
    healthy_github(github)
    config = slack_config(tmp_path, database_url)
    slack_with_bot(httpserver)
    httpserver.expect_request("/api/chat.postMessage", method="POST").respond_with_json(
        {"ok": True, "channel": "C0123456789", "ts": "1764700000.000100", "message": {"text": "x"}}
    )
    env = environment(
        database_url, SLACK_BOT_TOKEN="xoxb-0000-doctor", SLACK_API_URL=httpserver.url_for("/api/")
    )

    check = by_name(run_checks(str(config), env, post_test=True))["slack"]

    assert check.status is Status.OK
    assert check.detail.endswith(
        "; --post-test: posted a test message to channel C0123456789 "
        "(chat.postMessage ok, ts 1764700000.000100)"
    )
    (posted,) = [request for request, _ in httpserver.log if request.path == "/api/chat.postMessage"]
    assert posted.headers["Authorization"] == "Bearer xoxb-0000-doctor"
    assert posted.get_json()["channel"] == "C0123456789"


def test_post_test_fails_when_slack_refuses_the_post(
    config: Path, database_url: str, github: responses.RequestsMock, httpserver: HTTPServer
) -> None:
    healthy_github(github)
    httpserver.expect_request("/services/T0/B0/GONE", method="POST").respond_with_data(
        "no_service", status=404
    )
    env = environment(database_url, SLACK_WEBHOOK_URL=httpserver.url_for("/services/T0/B0/GONE"))

    check = by_name(run_checks(str(config), env, post_test=True))["slack"]

    assert check.status is Status.FAIL
    assert "--post-test: " in check.detail and "no_service" in check.detail
    assert "create a new one and set SLACK_WEBHOOK_URL" in check.detail and "GONE" not in check.detail


# --- the schedule, read by the scheduler's own parser ---------------------------------------------


def with_schedule(config: Path, sync: str) -> None:
    config.write_text(config.read_text() + f'\n[schedule]\nsync = "{sync}"\ndigest = ""\n')


def test_a_schedule_the_scheduler_cannot_read_fails_doctor_and_the_other_checks_still_run(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    with_schedule(config, "every blue moon")

    checks = by_name(run_checks(str(config), environment(database_url)))

    assert checks["schedule"].status is Status.FAIL
    assert checks["schedule"].detail == (
        f"{config}: schedule.sync: 'every blue moon' is neither a 5-field crontab nor 'every N s|m|h|d'"
    )
    assert checks["github"].status is Status.OK


def test_a_readable_schedule_says_when_each_job_runs_next(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    with_schedule(config, "30 4 * * *")

    check = by_name(run_checks(str(config), environment(database_url)))["schedule"]

    assert check.status is Status.OK
    assert re.fullmatch(
        re.escape(f"{config} [schedule] as `tracker schedule` reads it (UTC): sync '30 4 * * *' next at ")
        + r"\d{4}-\d\d-\d\d 04:30 UTC; digest off",
        check.detail,
    )


@pytest.mark.parametrize("spec", ["every blue moon", "61 * * * *", "every 0m"])
def test_a_schedule_the_scheduler_cannot_read_stops_every_command_when_the_config_loads(
    config: Path,
    database_url: str,
    spec: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    with_schedule(config, spec)

    code = run(["--config", str(config), "query", "--format", "json"])

    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {config}: schedule.sync: {spec!r}")


# --- the last sync run, and the caps it hit --------------------------------------------------------


def record_run(database_url: str, **figures: object) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        run_row = start_sync_run(session, now=datetime(2026, 11, 30, 8, tzinfo=UTC))
        for name, value in figures.items():
            setattr(run_row, name, value)
        session.add(run_row)
        session.commit()
    engine.dispose()


def test_a_cap_hit_in_the_last_sync_is_a_warning_that_says_what_it_means(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    record_run(database_url, status="ok", new=3, requests=40, caps_hit={"pages of a listing": 2})

    checks = by_name(run_checks(str(config), environment(database_url)))

    assert checks["database"].status is Status.OK
    assert checks["sync"].status is Status.WARN
    assert checks["sync"].detail == (
        "last sync ok (started 2026-11-30 08:00 UTC): 3 new, 0 updated, 40 requests; caps hit: pages of a "
        "listing (2): a listing went on past the most pages followed; what lies past it was not read"
    )


def test_a_last_sync_without_caps_hit_is_fine(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    record_run(database_url, status="ok", new=3, requests=40, caps_hit={})

    check = by_name(run_checks(str(config), environment(database_url)))["sync"]

    assert check.status is Status.OK and "caps hit" not in check.detail


# --- secrets and destinations: set or unset, never shown -------------------------------------------


def test_no_secret_or_destination_is_printed_whatever_fails(
    config: Path,
    database_url: str,
    github: responses.RequestsMock,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.get(re.compile(API + "/user"), status=401, json={"message": f"Bad credentials {TOKEN}"})
    webhook = httpserver.url_for("/services/T0/B0/WEBHOOKSECRET")
    httpserver.expect_request("/services/T0/B0/WEBHOOKSECRET").respond_with_data(
        f"invalid_token {webhook}", status=403
    )
    secrets = {
        "GITHUB_TOKEN": TOKEN,
        "SLACK_WEBHOOK_URL": webhook,
        "SLACK_APP_TOKEN": "xapp-1-A1-doctorSECRET",
        "SLACK_SIGNING_SECRET": "s3cr3t-signing-doctor",
        "TRACKER_DATABASE_URL": database_url,
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)

    code = run(["--config", str(config), "doctor", "--post-test"])

    out = capsys.readouterr().out
    assert code == 1
    assert re.search(
        r"^ok\s+env\s+read from the environment \(values not shown\): GITHUB_TOKEN set, "
        r"GITHUB_API_URL unset, TRACKER_DATABASE_URL set, SLACK_BOT_TOKEN unset, SLACK_WEBHOOK_URL set,",
        out,
        flags=re.M,
    )
    for name in ("GITHUB_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        assert secrets[name] not in out, name
    assert "WEBHOOKSECRET" not in out and "doctorSECRET" not in out


def test_a_spent_rate_limit_is_a_warning_without_waiting(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    healthy_github(github)
    reset = int(time.time()) + 1800
    github.replace(
        responses.GET,
        re.compile(API + "/orgs/acme$"),
        status=403,
        json={
            "message": "API rate limit exceeded for user ID 1.",
            "documentation_url": "https://docs.github.com",
        },
        headers={
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
            "x-github-request-id": "EF56:7",
        },
    )

    started = time.monotonic()
    check = by_name(run_checks(str(config), environment(database_url)))["github"]

    assert check.status is Status.WARN
    assert check.detail == (
        "rate limit: GET /orgs/acme at https://api.github.com: the rate limit is used up or GitHub asked "
        "to slow down; try again later (request id EF56:7)"
    )
    assert time.monotonic() - started < 10


def test_a_404_on_get_user_points_at_the_api_url(
    config: Path, database_url: str, github: responses.RequestsMock
) -> None:
    github.get(
        re.compile(r"https://ghe\.acme\.example(:443)?/user"), status=404, body="<html>Not Found</html>"
    )

    env = environment(database_url, GITHUB_API_URL="https://ghe.acme.example")
    check = by_name(run_checks(str(config), env))["github"]

    assert check.status is Status.FAIL
    assert check.detail == (
        "GET /user at https://ghe.acme.example answered 404: is the API URL right? (GitHub Enterprise "
        "Server: https://HOST/api/v3; set GITHUB_API_URL or [github] api_url)"
    )


@pytest.mark.parametrize(
    ("figures", "status", "detail"),
    [
        (
            {
                "status": "failed",
                "error": "GitHub kept failing on /search/issues after retries: boom (HTTP 502)",
            },
            Status.WARN,
            "last sync failed (started 2026-11-30 08:00 UTC): GitHub kept failing on /search/issues after "
            "retries: boom (HTTP 502)",
        ),
        (
            {"status": "stopped"},
            Status.OK,
            "last sync stopped at a safe point (started 2026-11-30 08:00 UTC); the next run resumes",
        ),
        (
            {"status": "running"},
            Status.OK,
            "last sync (started 2026-11-30 08:00 UTC) has not finished: running now, or stopped without "
            "recording it",
        ),
    ],
)
def test_how_the_last_sync_ended_is_said(
    config: Path,
    database_url: str,
    github: responses.RequestsMock,
    figures: dict[str, object],
    status: Status,
    detail: str,
) -> None:
    healthy_github(github)
    record_run(database_url, **figures)

    check = by_name(run_checks(str(config), environment(database_url)))["sync"]

    assert (check.status, check.detail) == (status, detail)
