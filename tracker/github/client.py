"""A thin client over PyGithub's Requester: conditional GETs, Link pagination, rate-limit waits.

PyGithub's Requester provides the auth header, the base URL (GitHub Enterprise Server) and the
following of a renamed repo's 301; it sends through `transport.ApiConnection` (connection
pooling, urllib3 retries for 5xx and dropped connections, a deadline per request, a cap on an
answer's size, no redirect to another host). Its object layer is not used: reading an attribute
missing from a list payload would fetch the object again, and it keeps no ETags.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import requests
from github import Auth, Github
from urllib3.util.retry import Retry

from tracker.cancel import CancelToken
from tracker.github.answers import ApiResponse, accept, message_of, parse_json, path_of
from tracker.github.errors import (
    CapReached,
    GraphQLQueryError,
    ListingTooLong,
    UnreachableError,
    WaitTooLong,
)
from tracker.github.graphql import ERROR_RETRIES, RESOURCE, GraphQLAnswer, accept_graphql, pause_for_graphql
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
from tracker.github.transport import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_ANSWER_BYTES,
    ApiConnection,
    describe_connection_failure,
    describe_origin,
    origin_of,
)

USER_AGENT = "tracker (open-source AI contribution tracker)"
MAX_RATE_LIMIT_PAUSES = 20
# The most pages a listing is followed for unless it says otherwise: 100,000 items.
DEFAULT_MAX_PAGES = 1_000

Reporter = Callable[[str], None]


def transient_retry(backoff_factor: float = 1.0) -> Retry:
    """Retries for 5xx answers and dropped connections, with exponential backoff."""
    return Retry(
        total=5,
        connect=5,
        read=3,
        backoff_factor=backoff_factor,
        status_forcelist=(500, 502, 503, 504),
        # POST is a GraphQL query, which only reads: repeating it is safe.
        allowed_methods=frozenset({"GET", "HEAD", "POST"}),
        raise_on_status=False,
        # Retry-After (secondary limits, 429) is ours to obey: reported, counted and cancellable.
        respect_retry_after_header=False,
    )


@dataclass
class RequestStats:
    requests: int = 0
    not_modified: int = 0
    waited_seconds: float = 0.0
    by_endpoint: Counter[str] = field(default_factory=Counter)
    # Which caps stopped something, and how often: a wait too long, a listing cut at its page cap.
    caps_hit: Counter[str] = field(default_factory=Counter)
    # GraphQL has its own budget, in points: its queries are not among `requests`.
    graphql_queries: int = 0
    graphql_points: int = 0

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
        self._api_url = api_url.rstrip("/")
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
            resource = resource_of(headers, url)
            budget = budget_from(headers)
            if budget is not None:
                self._budgets[resource] = budget
            message = message_of(parse_json(body))
            pause = pause_after_response(status, headers, message, resource, self._clock(), attempt)
            if pause is None:
                break
            self._wait(pause, url, status=status, request_id=headers.get("x-github-request-id"))
        return accept(status, headers, body, url, conditional=bool(conditions))

    def paginate(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        endpoint: str = "other",
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> Iterator[ApiResponse]:
        """Every page of a list, following Link rel="next" (see `follow`)."""
        first = self.get(url, {"per_page": 100, **(params or {})}, endpoint=endpoint)
        yield first
        yield from self.follow(first, endpoint=endpoint, max_pages=max_pages)

    def follow(
        self, first: ApiResponse, *, endpoint: str, max_pages: int = DEFAULT_MAX_PAGES
    ) -> Iterator[ApiResponse]:
        """The pages after `first`, by Link rel="next", to page `max_pages` at most: a listing that
        goes on past it raises ListingTooLong (an endless chain is a server that lies)."""
        page = first
        for _ in range(max_pages - 1):
            url = self.next_page_url(page)
            if url is None:
                return
            page = self.get(url, endpoint=endpoint)
            yield page
        if page.next_url is not None:
            raise self.listing_too_long(page, max_pages)

    def next_page_url(self, page: ApiResponse) -> str | None:
        """The page's Link rel="next", if it points at the API itself (a link elsewhere would take
        the token with it)."""
        url = page.next_url
        if url is not None and origin_of(url) != self._connection.origin:
            raise page.unexpected(f"its next page is on {describe_origin(url)}; not followed")
        return url

    def listing_too_long(self, page: ApiResponse, max_pages: int) -> ListingTooLong:
        self.stats.caps_hit[ListingTooLong.cap] += 1
        return ListingTooLong(
            f"GitHub's list at {page.path} goes on past {max_pages} pages, the most it is followed for; "
            "stopped",
            status=page.status,
            request_id=page.request_id,
        )

    def graphql(self, query: str, variables: Mapping[str, Any], *, endpoint: str) -> GraphQLAnswer:
        """One GraphQL query (POST to the API's /graphql): waits out its rate limits as `get`
        does, asks again (twice) when it is answered with errors, and counts the points it cost."""
        url = self._requester.graphql_url
        payload = {"query": query, "variables": dict(variables)}
        for retry in range(ERROR_RETRIES + 1):
            status, headers, body = self._post_waiting(url, payload, endpoint)
            try:
                answer = accept_graphql(status, headers, body, url)
            except GraphQLQueryError:
                if retry == ERROR_RETRIES:
                    raise
                self._sleep(2.0**retry)
                continue
            self.stats.graphql_points += answer.cost
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_waiting(
        self, url: str, payload: Mapping[str, Any], endpoint: str
    ) -> tuple[int, dict[str, Any], str]:
        for attempt in range(MAX_RATE_LIMIT_PAUSES + 1):
            self._cancel.raise_if_requested()
            self._pause_if_spent(RESOURCE, url)
            status, headers, body = self._post(url, payload, endpoint)
            budget = budget_from(headers)
            if budget is not None:
                self._budgets[RESOURCE] = budget
            pause = pause_for_graphql(status, headers, parse_json(body), self._clock(), attempt)
            if pause is None:
                break
            self._wait(pause, url, status=status, request_id=headers.get("x-github-request-id"))
        return status, headers, body

    def _post(self, url: str, payload: Mapping[str, Any], endpoint: str) -> tuple[int, dict[str, Any], str]:
        self._connection.begin()
        try:
            status, headers, body = self._requester.requestJson(
                "POST", url, headers={"Accept": "application/json"}, input=payload, cnx=self._connection
            )
        except requests.exceptions.RequestException as error:
            raise UnreachableError(f"cannot reach the GitHub API: {type(error).__name__}") from None
        self.stats.graphql_queries += 1
        self.stats.by_endpoint[endpoint] += 1
        return status, headers, body

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
            raise self._unreachable(url, error) from None
        self.stats.requests += 1
        self.stats.by_endpoint[endpoint] += 1
        if status == 304:
            self.stats.not_modified += 1
        return status, response_headers, body

    def _unreachable(self, url: str, error: requests.exceptions.RequestException) -> UnreachableError:
        """Where the request went (never its credentials or query), why it failed, and what to do."""
        target = url if "://" in url else self._api_url + url
        return UnreachableError(
            f"cannot reach the GitHub API at {describe_origin(target)}{path_of(target)}: "
            f"{describe_connection_failure(error)}; check the network, and GITHUB_API_URL or "
            "[github] api_url if that is not the right address, then run again (what was fetched is kept)"
        )

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
                f"waiting {describe_duration(pause.seconds)} before {path_of(url)} ({pause.reason}) "
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
