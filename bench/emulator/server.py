"""The HTTP side: auth, budgets, faults, ETags, Link headers, accounting, control endpoints.

`Emulator.handle` is plain (method, target, headers, body) → `Reply`, so the
behaviour is testable without sockets; `GitHubRequestHandler` only moves bytes.
Every API path is served both at the root and under `/api/v3` (GitHub
Enterprise Server style); URLs in bodies and Link headers keep the prefix and
the host the request used.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import graphql_api
from .accounting import (
    CORE,
    GRAPHQL,
    SEARCH,
    UNCOUNTED,
    BudgetSettings,
    RateBudgets,
    RequestStats,
    Window,
    outcome_of,
)
from .api import ApiError, ApiResult, RequestContext, error_body, match_route
from .index import QueryCache, WorldIndex
from .model import Account, AccountType, World, format_time
from .render import Urls, View
from .seed import advance_world
from .truth import DEFAULT_TOPICS, parse_windows, truth_report

ENTERPRISE_PREFIX = "/api/v3"
GRAPHQL_PATHS = ("/graphql", "/api/graphql")  # github.com, and GitHub Enterprise Server
GRAPHQL_TEMPLATE = "POST /graphql"
CONTROL_PREFIX = "/_emulator/"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
STATIC_HEADERS = (
    ("content-type", "application/json; charset=utf-8"),
    ("x-github-media-type", "github.v3; format=json"),
    ("x-github-api-version-selected", "2022-11-28"),
    ("x-oauth-scopes", "read:org, repo"),
    ("x-accepted-oauth-scopes", ""),
    ("access-control-allow-origin", "*"),
    (
        "access-control-expose-headers",
        "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
        "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, "
        "X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset",
    ),
    ("x-content-type-options", "nosniff"),
    ("vary", "Accept, Authorization, Cookie, X-GitHub-OTP"),
)


@dataclass(frozen=True, slots=True)
class EmulatorSettings:
    core_limit: int = 5_000
    search_limit: int = 30
    reset_seconds: float | None = None
    fail_rate: float = 0.0
    secondary_limit_every: int = 0
    fault_seed: int = 0
    graphql_limit: int = 5_000

    def budgets(self) -> BudgetSettings:
        core_window = self.reset_seconds if self.reset_seconds is not None else 3_600.0
        search_window = self.reset_seconds if self.reset_seconds is not None else 60.0
        return BudgetSettings(
            self.core_limit, self.search_limit, core_window, search_window, self.graphql_limit
        )


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    prefix: str
    params: list[tuple[str, str]]
    headers: Mapping[str, str]
    host: str
    body: bytes

    @classmethod
    def parse(cls, method: str, target: str, headers: Mapping[str, str], body: bytes, host: str) -> Request:
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        prefix = ""
        if path == ENTERPRISE_PREFIX or path.startswith(ENTERPRISE_PREFIX + "/"):
            prefix, path = ENTERPRISE_PREFIX, path[len(ENTERPRISE_PREFIX) :] or "/"
        params = parse_qsl(parts.query, keep_blank_values=True)
        return cls(method.upper(), path, prefix, params, headers, host, body)

    def first_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name, value in self.params:
            values.setdefault(name, value)
        return values

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    def token(self) -> str | None:
        scheme, _, credential = (self.header("authorization") or "").strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() not in ("token", "bearer") or not credential or credential == "bad":
            return None
        return credential

    def page_url(self, page: int) -> str:
        values = self.first_values()
        values["page"] = str(page)
        return f"http://{self.host}{self.prefix}{self.path}?{urlencode(values)}"


class Emulator:
    """The whole emulator state behind one lock: world, indexes, budgets, stats."""

    def __init__(self, world: World, settings: EmulatorSettings | None = None) -> None:
        self.world = world
        self.settings = settings or EmulatorSettings()
        self.index = WorldIndex(world)
        self.cache = QueryCache()
        self.budgets = RateBudgets(self.settings.budgets())
        self.stats = RequestStats()
        self.lock = threading.RLock()
        self._faults = random.Random(self.settings.fault_seed)
        self._request_count = 0
        self._api_request_count = 0

    # --- entry point -----------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes = b"", host: str = "127.0.0.1"
    ) -> Reply:
        request = Request.parse(method, target, headers, body, host)
        with self.lock:
            self._request_count += 1
            if request.path.startswith(CONTROL_PREFIX):
                return self._control(request)
            if request.method == "POST" and (request.prefix + request.path) in GRAPHQL_PATHS:
                return self._graphql(request)
            return self._api(request)

    def _request_id(self) -> str:
        digest = hashlib.sha1(f"{self.world.seed}:{self._request_count}".encode(), usedforsecurity=False)
        hexed = digest.hexdigest().upper()
        return f"{hexed[0:4]}:{hexed[4:9]}:{hexed[9:16]}:{hexed[16:23]}:{hexed[23:31]}"

    # --- the API ---------------------------------------------------------------

    def _api(self, request: Request) -> Reply:
        request_id = self._request_id()
        found = match_route(request.path) if request.method in ("GET", "HEAD") else None
        template = found[0].template if found else f"{request.method} <unknown>"
        resource = found[0].resource if found else CORE
        token = request.token()
        if token is None:
            reply = self._json_reply(401, error_body("Bad credentials", 401), request_id)
            reply.headers.extend(Window(60, 3_600.0, 0, time.time() + 3_600).headers(CORE))
            self.stats.record(template, 401, "client_error", charged=False)
            return reply
        window = self.budgets.window(token, SEARCH if resource == SEARCH else CORE)
        if resource != UNCOUNTED:
            self._api_request_count += 1
            refusal = self._refusal(token, window, request_id)
            if refusal is not None:
                reply, outcome = refusal
                reply.headers.extend(window.headers(resource))
                self.stats.record(template, reply.status, outcome, charged=False)
                return reply
        reply = self._answer(request, found, token, request_id)
        charged = resource != UNCOUNTED and reply.status != 304
        if charged:
            window.used += 1
        reply.headers.extend(window.headers(resource if resource != UNCOUNTED else CORE))
        self.stats.record(template, reply.status, outcome_of(reply.status), charged=charged)
        return reply

    def _graphql(self, request: Request) -> Reply:
        """A GraphQL query: refused as GitHub refuses it (bad credentials, injected faults, a query
        that fails validation or the limits, a spent budget), else charged its cost and run."""
        request_id = self._request_id()
        token = request.token()
        if token is None:
            reply = self._json_reply(401, error_body("Bad credentials", 401), request_id)
            self.stats.record(GRAPHQL_TEMPLATE, 401, "client_error", charged=False)
            return reply
        window = self.budgets.window(token, GRAPHQL)
        self._api_request_count += 1
        fault = self._fault(request_id)
        if fault is not None:
            reply, outcome = fault
            reply.headers.extend(window.headers(GRAPHQL))
            self.stats.record(GRAPHQL_TEMPLATE, reply.status, outcome, charged=False)
            return reply
        planned = graphql_api.plan(request.body)
        if isinstance(planned, graphql_api.Refused):
            reply = self._json_reply(200, {"errors": planned.errors}, request_id)
            reply.headers.extend(window.headers(GRAPHQL))
            self.stats.record(GRAPHQL_TEMPLATE, 200, "client_error", charged=False)
            return reply
        if window.remaining < planned.cost:
            message = f"API rate limit already exceeded for user ID {self.budgets.user_id(token)}."
            errors = [{"type": "RATE_LIMITED", "code": "graphql_rate_limit", "message": message}]
            reply = self._json_reply(200, {"errors": errors}, request_id)
            reply.headers.extend(window.headers(GRAPHQL))
            self.stats.record(GRAPHQL_TEMPLATE, 200, "rate_limited", charged=False)
            return reply
        window.used += planned.cost
        budget = graphql_api.Budget(
            planned.cost, window.limit, window.used, window.reset_at, planned.node_count
        )
        urls = Urls(api=f"http://{request.host}{request.prefix}")
        viewer = self.world.account(token)
        answer = graphql_api.run(planned, View(urls, self.world, self.index), viewer, budget, self.cache)
        reply = self._json_reply(200, answer, request_id)
        reply.headers.extend(window.headers(GRAPHQL))
        self.stats.record(GRAPHQL_TEMPLATE, 200, "ok", charged=False, points=planned.cost)
        return reply

    def _refusal(self, token: str, window: Window, request_id: str) -> tuple[Reply, str] | None:
        """Primary limit, then the injected secondary limit and 502s (none of them charged)."""
        if window.remaining <= 0:
            stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            message = (
                f"API rate limit exceeded for user ID {self.budgets.user_id(token)}. "
                "If you reach out to GitHub Support for help, please include "
                f"the request ID {request_id} and timestamp {stamp} UTC."
            )
            return self._json_reply(
                403, error_body(message, 403, RATE_LIMIT_DOCS), request_id
            ), "rate_limited"
        return self._fault(request_id)

    def _fault(self, request_id: str) -> tuple[Reply, str] | None:
        """The injected secondary limit and 502s."""
        every = self.settings.secondary_limit_every
        if every > 0 and self._api_request_count % every == 0:
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                f"If you reach out to GitHub Support for help, please include the request ID {request_id}."
            )
            reply = self._json_reply(403, error_body(message, 403, SECONDARY_DOCS), request_id)
            reply.headers.append(("retry-after", "1"))
            return reply, "secondary_limited"
        if self.settings.fail_rate > 0 and self._faults.random() < self.settings.fail_rate:
            return self._json_reply(502, {"message": "Server Error"}, request_id), "server_error"
        return None

    def _answer(self, request: Request, found: Any, token: str, request_id: str) -> Reply:
        if found is None:
            return self._json_reply(404, error_body("Not Found", 404), request_id)
        route, params = found
        context = self._context(request, params, token)
        try:
            result: ApiResult = route.handler(context)
        except ApiError as error:
            return self._json_reply(error.status, error.body, request_id)
        reply = self._json_reply(result.status, result.body, request_id)
        etag = f'W/"{hashlib.sha256(reply.body).hexdigest()}"'
        validators = [("etag", etag)]
        if result.last_modified is not None:
            validators.append(("last-modified", format_http_date(result.last_modified)))
        if _not_modified(request, etag, result.last_modified):
            return Reply(304, b"", [*validators, ("x-github-request-id", request_id), *STATIC_HEADERS[1:]])
        reply.headers.extend(validators)
        reply.headers.append(("cache-control", "private, max-age=60, s-maxage=60"))
        link = _link_header(request, context.page, result.last_page)
        if link:
            reply.headers.append(("link", link))
        return reply

    def _context(self, request: Request, params: dict[str, str], token: str) -> RequestContext:
        urls = Urls(api=f"http://{request.host}{request.prefix}")
        viewer = self.world.account(token)
        rates = {CORE: self.budgets.window(token, CORE), SEARCH: self.budgets.window(token, SEARCH)}
        return RequestContext(
            view=View(urls, self.world, self.index),
            params=params,
            query=request.first_values(),
            viewer=viewer if viewer is not None and viewer.is_member else None,
            cache=self.cache,
            rates=rates,
        )

    @staticmethod
    def _json_reply(status: int, body: Any, request_id: str) -> Reply:
        encoded = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        return Reply(status, encoded, [*STATIC_HEADERS, ("x-github-request-id", request_id)])

    # --- control endpoints -------------------------------------------------------

    def _control(self, request: Request) -> Reply:
        name = request.path[len(CONTROL_PREFIX) :]
        request_id = self._request_id()
        try:
            body = self._control_body(request.method, name, request)
        except (ValueError, KeyError, TypeError) as error:
            return self._json_reply(400, {"message": str(error)}, request_id)
        if body is None:
            return self._json_reply(404, error_body("Not Found", 404), request_id)
        return self._json_reply(200, body, request_id)

    def _control_body(self, method: str, name: str, request: Request) -> Any:
        if (method, name) == ("GET", "stats"):
            return {**self.stats.snapshot(), "budgets": self.budgets.snapshot()}
        if (method, name) == ("POST", "reset-stats"):
            self.stats.reset()
            return {"reset": True}
        if (method, name) == ("POST", "reset-budgets"):
            self.budgets.reset()
            return {"reset": True}
        if (method, name) == ("GET", "info"):
            return self.info()
        if (method, name) == ("POST", "advance"):
            payload = json.loads(request.body or b"{}")
            return self.advance(
                float(payload.get("days", 0)),
                int(payload.get("new_contributions", 0)),
                int(payload.get("seed", 0)),
                [str(login) for login in payload.get("authors", [])],
            )
        if (method, name) == ("POST", "members"):
            payload = json.loads(request.body or b"{}")
            return self.change_membership(
                [str(login) for login in payload.get("join", [])],
                [str(login) for login in payload.get("leave", [])],
            )
        if (method, name) == ("GET", "accounts"):
            return self.accounts()
        if (method, name) == ("GET", "truth"):
            return self._truth(request.first_values())
        return None

    def info(self) -> dict[str, Any]:
        world = self.world
        return {
            "org": world.org.login,
            "now": format_time(world.now),
            "seed": world.seed,
            "version": world.version,
            "members": len(world.members),
            "accounts": len(world.accounts),
            "repos": len(world.repos),
            "threads": len(world.threads),
            "comments": len(world.comments),
            "reviews": len(world.reviews),
            "events": len(self.index.events),
        }

    def advance(
        self, days: float, new_contributions: int, seed: int, authors: Sequence[str] = ()
    ) -> dict[str, Any]:
        """New activity after `now` (by `authors` only, when given), then `now` moves; with no
        activity no record changes."""
        with self.lock:
            added = advance_world(
                self.world, days=days, new_contributions=new_contributions, seed=seed, authors=authors
            )
            if new_contributions > 0:
                self.index = WorldIndex(self.world)
            return {"now": format_time(self.world.now), "version": self.world.version, "added": added}

    def change_membership(self, join: Sequence[str], leave: Sequence[str]) -> dict[str, Any]:
        """Accounts join or leave the organization; only the member listings change."""
        with self.lock:
            self.world.change_membership(join=join, leave=leave)
            return {"members": sorted(account.login for account in self.world.members)}

    def accounts(self) -> list[dict[str, Any]]:
        """Every user and bot, whether a member, and how much each has done (to pick one by it)."""
        world = self.world
        done: dict[int, int] = {}
        authors = [
            *(thread.author for thread in world.threads),
            *(comment.author for comment in world.comments),
            *(review.author for review in world.reviews),
        ]
        for author in authors:
            done[author.id] = done.get(author.id, 0) + 1
        return [
            {
                "login": account.login,
                "type": account.type.value,
                "member": account.is_member,
                "contributions": done.get(account.id, 0),
            }
            for account in world.accounts
            if account.type is not AccountType.ORGANIZATION
        ]

    def _truth(self, query: dict[str, str]) -> dict[str, Any]:
        topics = [part for part in query.get("topics", DEFAULT_TOPICS).split(",") if part]
        include = [part for part in query.get("include", "").split(",") if part]
        with_rows = query.get("rows", "") in ("1", "true")
        return truth_report(
            self.world,
            query["since"],
            topics,
            include,
            query.get("until") or None,
            with_rows=with_rows,
            windows=parse_windows(query.get("windows", "")),
        )


def _not_modified(request: Request, etag: str, last_modified: int | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when sent; only without it does If-Modified-Since."""
    if_none_match = request.header("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    return _unmodified_since(request.header("if-modified-since"), last_modified)


def _unmodified_since(header: str | None, last_modified: int | None) -> bool:
    """True when the resource has a Last-Modified no later than the header's valid HTTP-date."""
    if not header or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified <= since.timestamp()


def format_http_date(moment: int) -> str:
    return format_datetime(datetime.fromtimestamp(moment, UTC), usegmt=True)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or wanted in candidates


def _link_header(request: Request, page: int, last_page: int | None) -> str | None:
    """GitHub's order: prev, next, last, first; nothing for a single page."""
    if last_page is None or last_page <= 1:
        return None
    links = []
    if page > 1:
        links.append(f'<{request.page_url(min(page - 1, last_page))}>; rel="prev"')
    if page < last_page:
        links.append(f'<{request.page_url(page + 1)}>; rel="next"')
        links.append(f'<{request.page_url(last_page)}>; rel="last"')
    if page > 1:
        links.append(f'<{request.page_url(1)}>; rel="first"')
    return ", ".join(links)


# --- HTTP ---------------------------------------------------------------------------


class GitHubRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer

    def version_string(self) -> str:
        return "github.com"

    def do_GET(self) -> None:
        self._respond()

    def do_POST(self) -> None:
        self._respond()

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool = True) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("host") or "{}:{}".format(*self.server.server_address[:2])
        reply = self.server.emulator.handle(self.command, self.path, dict(self.headers.items()), body, host)
        self.send_response(reply.status, HTTPStatus(reply.status).phrase)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.status != 304:
            self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        if send_body and reply.status != 304:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        return


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        super().__init__(address, GitHubRequestHandler)
        self.emulator = emulator

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@dataclass(slots=True)
class RunningEmulator:
    server: EmulatorHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def emulator(self) -> Emulator:
        return self.server.emulator

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_in_thread(
    world: World, settings: EmulatorSettings | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator:
    """Serves in a background thread; call `.stop()` when done."""
    server = EmulatorHTTPServer((host, port), Emulator(world, settings))
    thread = threading.Thread(target=server.serve_forever, name="github-emulator", daemon=True)
    thread.start()
    return RunningEmulator(server, thread)


def member_token(account: Account) -> str:
    """A token that acts as this member (so their PENDING reviews are visible)."""
    return account.login
