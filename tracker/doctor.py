"""`tracker doctor`: the first thing an operator runs in a new container.

Each check is one line: what it read or asked (the file, the request), what the answer means, and
what to do about it. Secrets and destinations are said to be set or unset, never shown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

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
from tracker.config import (
    API_URL_ENV,
    DATABASE_URL_ENV,
    Settings,
    check_schedule,
    find_config_path,
    load_settings,
)
from tracker.config_files import ConfigError
from tracker.github.answers import ApiResponse
from tracker.github.client import GitHubClient, transient_retry
from tracker.github.errors import (
    AnswerTooLarge,
    AnswerTooSlow,
    AuthenticationError,
    ForbiddenError,
    GitHubError,
    ListingTooLong,
    NotFoundError,
    UnreachableError,
    WaitTooLong,
)
from tracker.github.transport import describe_origin
from tracker.logs import SECRET_ENV_NAMES, redact, secrets_from_environment
from tracker.slack.check import check_app_token, check_bot_token, verify_target
from tracker.slack.errors import SlackError
from tracker.slack.post import post_message
from tracker.slack.targets import (
    API_URL_ENV as SLACK_API_URL_ENV,
)
from tracker.slack.targets import (
    BOT_TOKEN_ENV,
    WEBHOOK_URL_ENV,
    BotTarget,
    SlackTarget,
    target_from_environment,
)
from tracker.slack.waits import Waits
from tracker.store import migrate
from tracker.store.contributions import count_stored_contributions
from tracker.store.engine import StoreError, make_engine, redact_url
from tracker.store.membership import ListingRecord, pending_suspect_listing
from tracker.store.runs import last_sync_run
from tracker.store.tables import SyncRunRow

GITHUB_TOKEN_ENV = "GITHUB_TOKEN"  # noqa: S105  (a variable name, not a secret)
NEEDED_SCOPES = frozenset({"read:org", "admin:org", "write:org"})
# What doctor reads from the environment; each is reported as set or unset, its value never shown.
ENVIRONMENT = (
    GITHUB_TOKEN_ENV,
    API_URL_ENV,
    DATABASE_URL_ENV,
    BOT_TOKEN_ENV,
    WEBHOOK_URL_ENV,
    SLACK_API_URL_ENV,
    APP_TOKEN_ENV,
    SIGNING_SECRET_ENV,
)
# Doctor asks once and gives up sooner than a sync: no retry (and no retry noise), no wait for a
# spent rate limit; the operator runs it again.
GITHUB_TIMEOUT_SECONDS = 10
GITHUB_DEADLINE_SECONDS = 30.0
# What each cap of a sync run means for its numbers, keyed by the names the run records.
CAP_MEANINGS = {
    WaitTooLong.cap: "GitHub asked for a longer wait than [github] max_wait_minutes, so the run stopped "
    "there (the next run resumes)",
    AnswerTooSlow.cap: "an answer did not arrive before the request's deadline",
    AnswerTooLarge.cap: "an answer was larger than the cap on one answer's size and was not read",
    ListingTooLong.cap: "a listing went on past the most pages followed; what lies past it was not read",
}
TEST_MESSAGE = (
    "A test message from `tracker doctor --post-test` for {org}: the digest will be posted here. "
    "Nothing to do."
)

# When a `[schedule]` spec fires next, read by the scheduler's own parser (ValueError if it cannot
# read it): `jobs.triggers.next_fire_time`, passed in by the CLI, since the core never imports jobs/.
NextRun = Callable[[str, str], datetime | None]


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


def run_checks(
    config_path: str | None,
    environ: Mapping[str, str] = os.environ,
    *,
    next_run: NextRun,
    post_test: bool = False,
) -> list[Check]:
    """Every check, in the order an operator fixes things; none stops the others."""
    try:
        settings = load_settings(find_config_path(config_path, environ), environ)
    except ConfigError as error:
        checks = [Check("config", Status.FAIL, str(error).replace("\n", "; ")), check_environment(environ)]
        return _redacted(checks, environ)
    checks = [_config_summary(settings), check_environment(environ)]
    steps: list[tuple[str, Callable[[], list[Check]]]] = [
        ("schedule", lambda: [check_schedule_specs(settings, next_run)]),
        ("github", lambda: [check_github(settings, environ)]),
        ("database", lambda: check_store(settings)),
        ("slack", lambda: [check_slack(settings, environ, post_test=post_test)]),
        ("bot", lambda: [check_bot(settings, environ)]),
    ]
    for name, step in steps:
        checks.extend(_safely(name, step, environ))
    return _redacted(checks, environ)


def _safely(name: str, step: Callable[[], list[Check]], environ: Mapping[str, str]) -> list[Check]:
    try:
        return step()
    except Exception as error:  # a doctor reports every problem, it never crashes on one
        return [Check(name, Status.FAIL, f"{type(error).__name__}: {error}")]


def _redacted(checks: list[Check], environ: Mapping[str, str]) -> list[Check]:
    """The last guard: no secret of the environment reaches a line, whatever an answer echoed."""
    secrets = {*secrets_from_environment()}
    for name in SECRET_ENV_NAMES:
        value = environ.get(name) or ""
        secrets.update(form for form in (value, value.strip()) if form)
    ordered = tuple(sorted(secrets, key=len, reverse=True))
    return [replace(check, detail=redact(check.detail, ordered)) for check in checks]


def _config_summary(settings: Settings) -> Check:
    rules = settings.repo_rules
    repos = (
        f"{len(rules.include)} include patterns and {len(rules.topics)} topics from {settings.repo_source}"
    )
    return Check(
        "config", Status.OK, f"{settings.path}: org {settings.org}; {repos}; roster: {len(settings.roster)}"
    )


def check_environment(environ: Mapping[str, str]) -> Check:
    """Which of the variables doctor reads are set (a blank value is unset); never their values."""
    states = [f"{name} {'set' if environ.get(name, '').strip() else 'unset'}" for name in ENVIRONMENT]
    return Check("env", Status.OK, "read from the environment (values not shown): " + ", ".join(states))


# --- the schedule ---------------------------------------------------------------------------------


def check_schedule_specs(settings: Settings, next_run: NextRun) -> Check:
    """`[schedule]` read by the scheduler's own parser, the same check the config load makes."""
    section = settings.schedule
    try:
        check_schedule(section, next_run, settings.path)
    except ConfigError as error:
        return Check("schedule", Status.FAIL, str(error))
    jobs = []
    for job in ("sync", "digest"):
        spec = getattr(section, job)
        when = next_run(spec, section.timezone) if spec else None
        jobs.append(f"{job} {spec!r} next at {when:%Y-%m-%d %H:%M %Z}" if when else f"{job} off")
    return Check(
        "schedule",
        Status.OK,
        f"{settings.path} [schedule] as `tracker schedule` reads it ({section.timezone}): " + "; ".join(jobs),
    )


# --- GitHub ---------------------------------------------------------------------------------------


class GitHubProbeFailed(Exception):
    """One of doctor's GitHub requests failed; `request` names it ("GET /user")."""

    def __init__(self, request: str, error: GitHubError) -> None:
        super().__init__(f"{request}: {error}")
        self.request = request
        self.error = error


@dataclass(frozen=True, slots=True)
class GitHubProbe:
    """Doctor's GET requests to the API, each failure tagged with the request that failed."""

    client: GitHubClient

    def ask(self, path: str, params: Mapping[str, object] | None = None) -> ApiResponse:
        shown = path + ("?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else "")
        try:
            return self.client.get(path, params, endpoint=f"doctor GET {path}")
        except GitHubError as error:
            raise GitHubProbeFailed(f"GET {shown}", error) from None


def check_github(settings: Settings, environ: Mapping[str, str]) -> Check:
    """The token (GET /user), the organization (GET /orgs/{org}), what the token sees of its members
    (GET /orgs/{org}/members) and the rate limit left (GET /rate_limit)."""
    token = environ.get(GITHUB_TOKEN_ENV, "").strip()
    if not token:
        return Check(
            "github",
            Status.FAIL,
            f"{GITHUB_TOKEN_ENV} is not set: export a GitHub token (classic: read:org; fine-grained: "
            "organization Members read)",
        )
    client = doctor_client(settings, token)
    try:
        return _probe_github(GitHubProbe(client), settings)
    except GitHubProbeFailed as failed:
        return github_failure(failed, settings)
    finally:
        client.close()


def doctor_client(settings: Settings, token: str) -> GitHubClient:
    return GitHubClient(
        token=token,
        api_url=settings.api_url,
        retry=transient_retry().new(total=0, connect=0, read=0),
        timeout=GITHUB_TIMEOUT_SECONDS,
        deadline=GITHUB_DEADLINE_SECONDS,
        max_wait=0.0,
    )


def _probe_github(probe: GitHubProbe, settings: Settings) -> Check:
    org = settings.org
    user = probe.ask("/user")
    probe.ask(f"/orgs/{org}")
    members = probe.ask(f"/orgs/{org}/members", {"per_page": 1})
    limits = probe.ask("/rate_limit")
    login = _text(user.data, "login")
    token = f"GET /user: token of {login}{_scopes(user)}"
    found = f"GET /orgs/{org}: found"
    budget = f"GET /rate_limit: {_budget(limits.data)}"
    where = f"at {shown_url(settings.api_url)}"
    if _lacks_read_org(user):
        seen = f"concealed members of {org} stay invisible: the token lacks read:org"
        return Check("github", Status.WARN, f"{token}; {found}; {seen}; {budget} ({where})")
    if members.data:
        return Check(
            "github", Status.OK, f"{token}; {found}; GET /orgs/{org}/members: visible; {budget} ({where})"
        )
    seen = f"GET /orgs/{org}/members: no member of {org} is visible to this token"
    return Check("github", Status.WARN, f"{token}; {found}; {seen}; {budget} ({where})")


def github_failure(failed: GitHubProbeFailed, settings: Settings) -> Check:
    """What a failed request means: the token, its permissions, the organization, or the way there."""
    request, error, api = failed.request, failed.error, shown_url(settings.api_url)
    if isinstance(error, AuthenticationError):
        return Check("github", Status.FAIL, f"token invalid: {request} at {api}: {error}")
    if isinstance(error, ForbiddenError):
        return Check("github", Status.FAIL, f"permissions: {request} at {api}: {error}")
    if isinstance(error, NotFoundError) and request == f"GET /orgs/{settings.org}":
        return Check(
            "github",
            Status.FAIL,
            f"organization: {request} at {api} answered 404: no organization {settings.org!r} there, or "
            f"the token cannot see it; check [github] org in {settings.path}{_request_id(error)}",
        )
    if isinstance(error, NotFoundError) and request == "GET /user":
        return Check(
            "github",
            Status.FAIL,
            f"{request} at {api} answered 404: is the API URL right? (GitHub Enterprise Server: "
            f"https://HOST/api/v3; set {API_URL_ENV} or [github] api_url){_request_id(error)}",
        )
    if isinstance(error, UnreachableError | AnswerTooSlow):
        path = request.removeprefix("GET ")
        return Check(
            "github",
            Status.FAIL,
            f"unreachable: GET {api}{path}: {_why_unreachable(error)}; check {API_URL_ENV} or "
            "[github] api_url, and the network (DNS, proxy, firewall)",
        )
    if isinstance(error, WaitTooLong):
        return Check(
            "github",
            Status.WARN,
            f"rate limit: {request} at {api}: the rate limit is used up or GitHub asked to slow down; "
            f"try again later{_request_id(error)}",
        )
    return Check("github", Status.FAIL, f"{request} at {api}: {error}")


def shown_url(url: str) -> str:
    """The URL without credentials (user, password), query or fragment: where a request went."""
    return describe_origin(url) + urlsplit(url).path.rstrip("/")


def _request_id(error: GitHubError) -> str:
    return f" (request id {error.request_id})" if error.request_id else ""


def _why_unreachable(error: GitHubError) -> str:
    """The reason urllib3 gave, in a few words; the exception chain, never a URL with credentials."""
    if isinstance(error, AnswerTooSlow):
        return f"no full answer within {GITHUB_DEADLINE_SECONDS:g} s"
    cause: BaseException | None = error.__context__
    names: list[str] = []
    while cause is not None and len(names) < 10:
        names.append(type(cause).__name__)
        for argument in getattr(cause, "args", ()):
            if isinstance(argument, BaseException):
                names.append(type(argument).__name__)
                reason = getattr(argument, "reason", None)
                if isinstance(reason, BaseException):
                    names.append(type(reason).__name__)
        cause = cause.__cause__ or cause.__context__
    for name, meaning in (
        ("ConnectionRefusedError", "connection refused"),
        ("NameResolutionError", "the host name does not resolve"),
        ("SSLError", "TLS failed (certificate or protocol)"),
        ("ConnectTimeoutError", "the connection timed out"),
        ("ReadTimeoutError", "no answer in time"),
        ("NewConnectionError", "the connection was refused or failed"),
    ):
        if name in names:
            return meaning
    return "no connection"


def _text(data: object, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return str(value) if isinstance(value, str | int) else "?"


def _scopes(user: ApiResponse) -> str:
    """A classic token's scopes (X-OAuth-Scopes); fine-grained and app tokens send no such header."""
    scopes = user.headers.get("x-oauth-scopes")
    if scopes is None:
        return " (no X-OAuth-Scopes: a fine-grained or app token)"
    return f" (scopes: {scopes.strip() or 'none'})"


def _lacks_read_org(user: ApiResponse) -> bool:
    scopes = user.headers.get("x-oauth-scopes")
    return scopes is not None and not NEEDED_SCOPES & {scope.strip() for scope in scopes.split(",")}


def _budget(data: object) -> str:
    if not isinstance(data, dict):
        return "rate limit unknown"
    resources = data.get("resources", {})
    parts = [
        f"{name} {resources[name]['remaining']}/{resources[name]['limit']}"
        for name in ("core", "search")
        if isinstance(resources, dict) and isinstance(resources.get(name), dict)
    ]
    return "rate limit " + ", ".join(parts) if parts else "rate limit unknown"


# --- the database and the last sync ---------------------------------------------------------------


def check_store(settings: Settings) -> list[Check]:
    """The database (its schema and what it holds) and the last sync run recorded there."""
    where = redact_url(settings.database_url)
    try:
        engine = make_engine(settings.database_url)
    except StoreError as error:
        return [Check("database", Status.FAIL, str(error))]
    try:
        current = migrate.current_revision(engine)
        head = migrate.HEAD_REVISION
        if current != head:
            state = f"schema at {current or 'empty'}, {head} available (applied on the next command)"
            return [Check("database", Status.WARN, f"{where}: {state}"), _sync_not_read(current)]
        with Session(engine) as session:
            count = count_stored_contributions(session)
            last = last_sync_run(session)
            held_back = pending_suspect_listing(session)
    except sa.exc.SQLAlchemyError as error:
        return [Check("database", Status.FAIL, f"{where}: {getattr(error, 'orig', error)}")]
    finally:
        engine.dispose()
    detail = f"{where}: schema {current}; {count} contributions"
    database = (
        Check("database", Status.WARN, f"{detail}; {_held_back(settings.org, held_back)}")
        if held_back is not None
        else Check("database", Status.OK, detail)
    )
    return [database, check_last_sync(last)]


def _sync_not_read(current: str | None) -> Check:
    if current is None:
        return Check("sync", Status.OK, "no sync has run yet (the database is empty)")
    return Check("sync", Status.OK, "the last run is read once the schema is upgraded")


def check_last_sync(run: SyncRunRow | None) -> Check:
    """How the last sync run ended, and the caps that stopped something in it (a warning)."""
    if run is None:
        return Check("sync", Status.OK, "no sync has run yet: `tracker sync` (or `tracker schedule`)")
    outcome = _outcome(run)
    caps = run.caps_hit or {}
    if caps:
        hits = "; ".join(
            f"{cap} ({count}): {CAP_MEANINGS.get(cap, 'a bound on the run was reached')}"
            for cap, count in sorted(caps.items())
        )
        return Check("sync", Status.WARN, f"{outcome}; caps hit: {hits}")
    status = Status.OK if run.status in ("ok", "running", "stopped") else Status.WARN
    return Check("sync", status, outcome)


def _outcome(run: SyncRunRow) -> str:
    started = f"started {run.started_at:%Y-%m-%d %H:%M} UTC"
    if run.status == "ok":
        figures = f"{run.new} new, {run.updated} updated, {run.requests} requests"
        return f"last sync ok ({started}): {figures}"
    if run.status == "failed":
        return f"last sync failed ({started}): {run.error or 'no reason recorded'}"
    if run.status == "stopped":
        return f"last sync stopped at a safe point ({started}); the next run resumes"
    return f"last sync ({started}) has not finished: running now, or stopped without recording it"


def _held_back(org: str, listing: ListingRecord) -> str:
    return (
        f"membership held back: the listing of {org} at {listing.started_at:%Y-%m-%d %H:%M} UTC lacks "
        f"{listing.dropped} of the {listing.previous} members listed before; if they left, run "
        "`tracker sync --accept-membership-change`"
    )


# --- Slack ----------------------------------------------------------------------------------------


def check_slack(settings: Settings, environ: Mapping[str, str], *, post_test: bool = False) -> Check:
    """The digest's destination: a webhook by its shape, a bot token by auth.test; with `post_test`,
    a harmless message posted there for real."""
    try:
        target = target_from_environment(
            environ, channel=settings.slack.channel, api_url=settings.slack.api_url
        )
    except SlackError as error:
        return Check("slack", Status.FAIL, str(error))
    if target is None:
        return Check(
            "slack",
            Status.WARN,
            f"no destination: {BOT_TOKEN_ENV} and {WEBHOOK_URL_ENV} are unset; set {BOT_TOKEN_ENV} (with "
            f"[slack] channel) or {WEBHOOK_URL_ENV}" + ("; nothing posted" if post_test else ""),
        )
    waits = Waits(settings.slack.max_wait_seconds)
    try:
        detail = _describe_target(target, waits) + _unused_webhook(target, environ)
    except SlackError as error:
        return Check("slack", Status.FAIL, str(error))
    if not post_test:
        return Check("slack", Status.OK, detail)
    try:
        posted = post_test_message(target, settings.org, waits)
    except SlackError as error:
        return Check("slack", Status.FAIL, f"{detail}; --post-test: {error}")
    return Check("slack", Status.OK, f"{detail}; --post-test: {posted}")


def _describe_target(target: SlackTarget, waits: Waits) -> str:
    if isinstance(target, BotTarget):
        identity = check_bot_token(target.token, target.api_url, waits)
        return (
            f"{BOT_TOKEN_ENV} set: auth.test at {shown_url(target.api_url)}: bot {identity.user} in "
            f"workspace {identity.team}; the digest goes to channel {target.channel} (chat.postMessage)"
        )
    return verify_target(target) + " (`tracker doctor --post-test` posts a test message)"


def _unused_webhook(target: SlackTarget, environ: Mapping[str, str]) -> str:
    if isinstance(target, BotTarget) and environ.get(WEBHOOK_URL_ENV, "").strip():
        return f"; {WEBHOOK_URL_ENV} is set too, unused: the bot token wins"
    return ""


def post_test_message(target: SlackTarget, org: str, waits: Waits) -> str:
    """Post a harmless message where the digest goes; what Slack answered, or SlackError."""
    text = TEST_MESSAGE.format(org=org)
    receipt = post_message(target, {"text": text}, waits=waits)
    if isinstance(target, BotTarget):
        return f"posted a test message to channel {target.channel} (chat.postMessage ok, ts {receipt.ts})"
    return f"posted a test message through {WEBHOOK_URL_ENV} (the webhook answered ok)"


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
            transport = (
                f"Socket Mode ({APP_TOKEN_ENV} accepted by apps.connections.open; no public endpoint needed)"
            )
        else:
            transport = (
                f"HTTP on port {DEFAULT_PORT} (or --port), path {EVENTS_PATH}, which Slack must reach; "
                f"requests verified with {SIGNING_SECRET_ENV}"
            )
    except SlackError as error:
        return Check("bot", Status.FAIL, str(error))
    return Check(
        "bot",
        Status.OK,
        f"auth.test: bot {identity.user} in workspace {identity.team}; tracker bot uses {transport}",
    )
