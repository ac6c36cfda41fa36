"""A thin client over PyGithub's Requester: conditional GETs, Link pagination, rate-limit waits.

PyGithub's Requester provides the auth header, the base URL (GitHub Enterprise Server) and the
following of a renamed repo's 301; it sends through `transport.ApiConnection` (connection
pooling, urllib3 retries for 5xx and dropped connections, a deadline per request, a cap on an
answer's size, no redirect to another host). Its object layer is not used: reading an attribute
missing from a list payload would fetch the object again, and it keeps no ETags.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from github import Auth, Github
from urllib3.util.retry import Retry

from tracker.cancel import CancelToken
from tracker.github.errors import (
    AuthenticationError,
    CapReached,
    ForbiddenError,
    GitHubError,
    NotFoundError,
    SearchLimitError,
    UnreachableError,
    WaitTooLong,
)
from tracker.github.ratelimit import (
    DEFAULT_MAX_WAIT,
    Budget,
    Pause,
    budget_from,
    describe_duration,
    describe_reset,
    exceeds_cap,
    pause_after_response,
    pause_before_request,
    resource_of,
)
from tracker.github.transport import DEFAULT_DEADLINE, DEFAULT_MAX_ANSWER_BYTES, ApiConnection

USER_AGENT = "tracker (open-source AI contribution tracker)"
MAX_RATE_LIMIT_PAUSES = 20
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
_LAST_PAGE = re.compile(r'<[^>]*[?&]page=(\d+)[^>]*>;\s*rel="last"')

Reporter = Callable[[str], None]


def transient_retry(backoff_factor: float = 1.0) -> Retry:
    """Retries for 5xx answers and dropped connections, with exponential backoff."""
    return Retry(
        total=5,
        connect=5,
        read=3,
        backoff_factor=backoff_factor,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
        # Retry-After (secondary limits, 429) is ours to obey: reported, counted and cancellable.
        respect_retry_after_header=False,
    )


@dataclass(frozen=True, slots=True)
class ApiResponse:
    status: int
    data: Any
    headers: Mapping[str, str]

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> datetime | None:
        """The Last-Modified header as an aware UTC datetime; None when absent or unreadable."""
        return parse_http_date(self.headers.get("last-modified"))

    @property
    def next_url(self) -> str | None:
        match = _NEXT_LINK.search(self.headers.get("link", ""))
        return match.group(1) if match else None

    @property
    def page_count(self) -> int:
        """How many pages the list has, from Link rel="last" (1 when there is no next page)."""
        match = _LAST_PAGE.search(self.headers.get("link", ""))
        return int(match.group(1)) if match else 1


@dataclass
class RequestStats:
    requests: int = 0
    not_modified: int = 0
    waited_seconds: float = 0.0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    # Which caps stopped something, and how often: a wait too long, a listing cut at its page cap.
    caps_hit: Counter[str] = field(default_factory=Counter)

    @property
    def rate_limited(self) -> int:
        """Requests that cost budget: every answer but a 304."""
        return self.requests - self.not_modified


class GitHubClient:
    def __init__(
        self,
        *,
        token: str,
        api_url: str,
        report: Reporter = lambda _message: None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.time,
        retry: Retry | None = None,
        timeout: int = 30,
        cancel: CancelToken | None = None,
        max_wait: float = DEFAULT_MAX_WAIT,
        deadline: float = DEFAULT_DEADLINE,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self._github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            per_page=100,
            user_agent=USER_AGENT,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self._requester = self._github.requester
        self._connection = ApiConnection(
            api_url,
            timeout=timeout,
            retry=retry if retry is not None else transient_retry(),
            deadline=deadline,
            max_answer_bytes=max_answer_bytes,
        )
        self._report = report
        self._cancel = cancel or CancelToken()
        self._sleep = sleep or self._cancel.sleep
        self._clock = clock
        self._max_wait = max_wait
        self._budgets: dict[str, Budget] = {}
        self.stats = RequestStats()

    def close(self) -> None:
        self._connection.close()
        self._github.close()

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        etag: str | None = None,
        modified_since: datetime | None = None,
        endpoint: str = "other",
    ) -> ApiResponse:
        """GET one resource; a 304 comes back as a response, errors as GitHubError.

        The request is conditional on `etag` (If-None-Match) or, without one, on `modified_since`
        (If-Modified-Since); GitHub answers an unchanged resource 304, free of rate limit.
        """
        try:
            return self._get(url, params, conditional_headers(etag, modified_since), endpoint)
        except CapReached as reached:
            self.stats.caps_hit[reached.cap] += 1
            raise

    def _get(
        self, url: str, params: Mapping[str, Any] | None, conditions: Mapping[str, str], endpoint: str
    ) -> ApiResponse:
        resource = "search" if "/search/" in url else "core"
        for attempt in range(MAX_RATE_LIMIT_PAUSES + 1):
            self._cancel.raise_if_requested()
            self._pause_if_spent(resource, url)
            status, headers, body = self._send(url, params, conditions, endpoint)
            data = _parse_json(body)
            resource = resource_of(headers, url)
            budget = budget_from(headers)
            if budget is not None:
                self._budgets[resource] = budget
            pause = pause_after_response(status, headers, _message(data), resource, self._clock(), attempt)
            if pause is None:
                break
            self._wait(pause, url, status=status, request_id=headers.get("x-github-request-id"))
        if status >= 400:
            raise _error_for(status, headers, data, url)
        return ApiResponse(status, data, headers)

    def paginate(
        self, url: str, params: Mapping[str, Any] | None = None, *, endpoint: str = "other"
    ) -> Iterator[ApiResponse]:
        """Every page of a list, following Link rel="next"."""
        page = self.get(url, {"per_page": 100, **(params or {})}, endpoint=endpoint)
        yield page
        while page.next_url:
            page = self.get(page.next_url, endpoint=endpoint)
            yield page

    def budget(self, resource: str) -> Budget | None:
        return self._budgets.get(resource)

    def _send(
        self, url: str, params: Mapping[str, Any] | None, conditions: Mapping[str, str], endpoint: str
    ) -> tuple[int, dict[str, Any], str]:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            **conditions,
        }
        self._connection.begin()
        try:
            status, response_headers, body = self._requester.requestJson(
                "GET", url, dict(params or {}), headers, cnx=self._connection
            )
        except requests.exceptions.RequestException as error:
            raise UnreachableError(f"cannot reach the GitHub API: {type(error).__name__}") from None
        self.stats.requests += 1
        self.stats.by_endpoint[endpoint] += 1
        if status == 304:
            self.stats.not_modified += 1
        return status, response_headers, body

    def _pause_if_spent(self, resource: str, url: str) -> None:
        pause = pause_before_request(self._budgets.get(resource), resource, self._clock())
        if pause is not None:
            self._wait(pause, url)
            self._budgets.pop(resource, None)

    def _wait(
        self, pause: Pause, url: str, *, status: int | None = None, request_id: str | None = None
    ) -> None:
        """Sleep (cancellably) for the pause; stop the run instead when it is longer than the cap."""
        if exceeds_cap(pause, self._max_wait):
            raise WaitTooLong(
                f"waiting {describe_duration(pause.seconds)} before {_path_of(url)} ({pause.reason}) "
                f"would pass the {self._max_wait / 60:g}-minute cap ([github] max_wait_minutes); "
                "stopped: what was fetched is kept and the next run resumes",
                status=status,
                request_id=request_id,
            )
        minutes, seconds = divmod(round(pause.seconds), 60)
        resume = describe_reset(self._clock() + pause.seconds)
        self._report(f"waiting {minutes}m {seconds:02d}s (until {resume}): {pause.reason}")
        self._sleep(pause.seconds)
        self.stats.waited_seconds += pause.seconds


def conditional_headers(etag: str | None, modified_since: datetime | None) -> dict[str, str]:
    """If-None-Match for an ETag; otherwise If-Modified-Since for a date (RFC 9110 §13.1.3 has a
    server ignore If-Modified-Since beside If-None-Match, so it is sent only without an ETag)."""
    if etag:
        return {"If-None-Match": etag}
    if modified_since is not None:
        return {"If-Modified-Since": format_http_date(modified_since)}
    return {}


def format_http_date(moment: datetime) -> str:
    """An aware datetime as an HTTP-date (`Tue, 03 Nov 2026 10:00:00 GMT`); sub-seconds are dropped."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given for an HTTP-date; use UTC-aware datetimes")
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_json(body: str) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _message(data: Any) -> str:
    return str(data.get("message", "")) if isinstance(data, dict) else ""


def _path_of(url: str) -> str:
    """The URL without its query (which may carry search terms) and without scheme and host."""
    return urlsplit(url).path or "/"


def _error_for(status: int, headers: Mapping[str, str], data: Any, url: str) -> GitHubError:
    request_id = headers.get("x-github-request-id")
    message = _message(data) or "no message"
    path = _path_of(url)
    if status == 401:
        return AuthenticationError(
            f"GitHub rejected the token ({message}); check GITHUB_TOKEN", status=status, request_id=request_id
        )
    if status == 404:
        return NotFoundError(f"not found: {path}", status=status, request_id=request_id)
    if status == 403:
        return ForbiddenError(f"GitHub refused {path}: {message}", status=status, request_id=request_id)
    if status == 422:
        return SearchLimitError(f"GitHub rejected {path}: {message}", status=status, request_id=request_id)
    if status >= 500:
        return GitHubError(
            f"GitHub kept failing on {path} after retries: {message}", status=status, request_id=request_id
        )
    return GitHubError(f"GitHub answered {path}: {message}", status=status, request_id=request_id)
