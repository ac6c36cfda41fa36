"""`tracker doctor`: the first thing an operator runs in a new container.

Each check returns one line: what was checked, and what is wrong or what it found.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from tracker.bot.credentials import (
    APP_TOKEN_ENV,
    DEFAULT_PORT,
    EVENTS_PATH,
    SIGNING_SECRET_ENV,
    bot_credentials,
    bot_is_configured,
)
from tracker.config import Settings, find_config_path, load_settings
from tracker.config_files import ConfigError
from tracker.github.client import GitHubClient, transient_retry
from tracker.github.errors import GitHubError, NotFoundError
from tracker.logs import redact, secrets_from_environment
from tracker.slack.check import check_app_token, check_bot_token, verify_target
from tracker.slack.errors import SlackError
from tracker.slack.targets import BOT_TOKEN_ENV, target_from_environment
from tracker.slack.waits import Waits
from tracker.store import migrate
from tracker.store.contributions import count_stored_contributions
from tracker.store.engine import StoreError, make_engine, redact_url
from tracker.store.membership import ListingRecord, pending_suspect_listing
from tracker.store.runs import last_sync_run

NEEDED_SCOPES = frozenset({"read:org", "admin:org", "write:org"})


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str

    def line(self) -> str:
        return f"{self.status.value:<4}  {self.name:<8}  {self.detail}"


def run_checks(config_path: str | None, environ: Mapping[str, str] = os.environ) -> list[Check]:
    try:
        settings = load_settings(find_config_path(config_path, environ), environ)
    except ConfigError as error:
        return [Check("config", Status.FAIL, str(error).replace("\n", "; "))]
    checks = [_config_summary(settings)]
    for check in (check_github, check_database, check_slack, check_bot):
        checks.append(_safely(check, settings, environ))
    return checks


def _safely(
    check: Callable[[Settings, Mapping[str, str]], Check], settings: Settings, environ: Mapping[str, str]
) -> Check:
    try:
        return check(settings, environ)
    except Exception as error:  # a doctor reports every problem, it never crashes on one
        name = check.__name__.removeprefix("check_")
        return Check(
            name, Status.FAIL, redact(f"{type(error).__name__}: {error}", secrets_from_environment())
        )


def _config_summary(settings: Settings) -> Check:
    rules = settings.repo_rules
    repos = (
        f"{len(rules.include)} include patterns and {len(rules.topics)} topics from {settings.repo_source}"
    )
    return Check(
        "config", Status.OK, f"{settings.path}: org {settings.org}; {repos}; roster: {len(settings.roster)}"
    )


def check_github(settings: Settings, environ: Mapping[str, str]) -> Check:
    token = environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        return Check("github", Status.FAIL, "GITHUB_TOKEN is not set")
    client = GitHubClient(
        token=token,
        api_url=settings.api_url,
        retry=transient_retry(backoff_factor=0.5),
        max_wait=settings.max_wait_seconds,
    )
    try:
        user = client.get("/user", endpoint="GET /user")
        client.get(f"/orgs/{settings.org}", endpoint="GET /orgs/{org}")
        members = client.get(
            f"/orgs/{settings.org}/members", {"per_page": 1}, endpoint="GET /orgs/{org}/members"
        )
        limits = client.get("/rate_limit", endpoint="GET /rate_limit")
    except NotFoundError:
        return Check("github", Status.FAIL, f"organization {settings.org!r} not found at {settings.api_url}")
    except GitHubError as error:
        return Check("github", Status.FAIL, str(error))
    finally:
        client.close()
    login = user.data.get("login", "?")
    budget = _budget(limits.data)
    scopes = user.headers.get("x-oauth-scopes")
    if scopes is not None and not NEEDED_SCOPES & {scope.strip() for scope in scopes.split(",")}:
        detail = (
            f"token of {login} lacks read:org: concealed members of {settings.org} stay invisible; {budget}"
        )
        return Check("github", Status.WARN, detail)
    visible = "members visible" if members.data else f"no member of {settings.org} is visible to this token"
    status = Status.OK if members.data else Status.WARN
    return Check("github", status, f"token of {login} at {settings.api_url}: {visible}; {budget}")


def _budget(data: object) -> str:
    if not isinstance(data, dict):
        return "rate limit unknown"
    resources = data.get("resources", {})
    parts = [
        f"{name} {resources[name]['remaining']}/{resources[name]['limit']}"
        for name in ("core", "search")
        if name in resources
    ]
    return "rate limit " + ", ".join(parts) if parts else "rate limit unknown"


def check_database(settings: Settings, environ: Mapping[str, str]) -> Check:
    where = redact_url(settings.database_url)
    try:
        engine = make_engine(settings.database_url)
    except StoreError as error:
        return Check("database", Status.FAIL, str(error))
    try:
        current = migrate.current_revision(engine)
        head = migrate.HEAD_REVISION
        if current != head:
            state = f"schema at {current or 'empty'}, {head} available (applied on the next command)"
            return Check("database", Status.WARN, f"{where}: {state}")
        with Session(engine) as session:
            count = count_stored_contributions(session)
            last = last_sync_run(session)
            held_back = pending_suspect_listing(session)
    except sa.exc.SQLAlchemyError as error:
        return Check("database", Status.FAIL, f"{where}: {getattr(error, 'orig', error)}")
    finally:
        engine.dispose()
    sync = (
        "never synced" if last is None else f"last sync {last.status} at {last.started_at:%Y-%m-%d %H:%M} UTC"
    )
    detail = f"{where}: schema {current}; {count} contributions; {sync}"
    if held_back is not None:
        return Check("database", Status.WARN, f"{detail}; {_held_back(settings.org, held_back)}")
    status = Status.WARN if last is not None and last.status == "failed" else Status.OK
    return Check("database", status, detail)


def _held_back(org: str, listing: ListingRecord) -> str:
    return (
        f"membership held back: the listing of {org} at {listing.started_at:%Y-%m-%d %H:%M} UTC lacks "
        f"{listing.dropped} of the {listing.previous} members listed before; if they left, run "
        "`tracker sync --accept-membership-change`"
    )


def check_slack(settings: Settings, environ: Mapping[str, str]) -> Check:
    try:
        target = target_from_environment(
            environ, channel=settings.slack.channel, api_url=settings.slack.api_url
        )
        if target is None:
            return Check(
                "slack",
                Status.WARN,
                "no destination: set SLACK_BOT_TOKEN (with [slack] channel) or SLACK_WEBHOOK_URL",
            )
        return Check("slack", Status.OK, verify_target(target, Waits(settings.slack.max_wait_seconds)))
    except SlackError as error:
        return Check("slack", Status.FAIL, str(error))


def check_bot(settings: Settings, environ: Mapping[str, str]) -> Check:
    """`tracker bot`: its tokens (auth.test; the app token through apps.connections.open), and the
    transport it will use."""
    if not bot_is_configured(environ):
        return Check(
            "bot",
            Status.OK,
            f"not set up (optional): tracker bot needs {BOT_TOKEN_ENV} with {APP_TOKEN_ENV} (Socket Mode) "
            f"or {SIGNING_SECRET_ENV} (HTTP)",
        )
    try:
        credentials = bot_credentials(environ, api_url=settings.slack.api_url)
        waits = Waits(settings.slack.max_wait_seconds)
        identity = check_bot_token(credentials.bot_token, credentials.api_url, waits)
        if credentials.app_token is not None:
            check_app_token(credentials.app_token, credentials.api_url, waits)
            transport = f"Socket Mode ({APP_TOKEN_ENV} accepted; no public endpoint needed)"
        else:
            transport = (
                f"HTTP on port {DEFAULT_PORT} (or --port), path {EVENTS_PATH}, which Slack must reach; "
                f"requests verified with {SIGNING_SECRET_ENV}"
            )
    except SlackError as error:
        return Check("bot", Status.FAIL, str(error))
    return Check(
        "bot", Status.OK, f"bot {identity.user} in workspace {identity.team}; tracker bot uses {transport}"
    )
