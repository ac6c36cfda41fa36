"""Fetchers: read GitHub and yield plain JSON or records. They never touch the database;
the caller injects what they need to know (ETags, where to stop)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

from tracker.domain import OrgMember
from tracker.github.client import ApiResponse, GitHubClient
from tracker.github.errors import NotFoundError, SearchLimitError
from tracker.github.parse import JSON, parse_members, parse_time

SEARCH_RESULT_CAP = 1000
SEARCH_INCOMPLETE_RETRIES = 2
MIN_SEARCH_SLICE = timedelta(seconds=2)


class EtagCache(Protocol):
    """Where conditional-request validators (and replayable bodies) are kept between runs."""

    def get(self, key: str) -> tuple[str, str | None] | None: ...

    def put(self, key: str, etag: str, body: str | None) -> None: ...


class OrganizationNotFound(NotFoundError):
    pass


def fetch_org_members(client: GitHubClient, org: str, cache: EtagCache) -> list[OrgMember]:
    """All members the token can see (concealed ones too when the token's owner is a member).

    Each page is requested with its ETag; a 304 replays the page stored last time, free of budget.
    """
    pages: list[list[JSON]] = []
    url: str | None = f"/orgs/{quote(org)}/members?per_page=100"
    while url is not None:
        page, url = _cached_page(client, url, cache, endpoint="GET /orgs/{org}/members", org=org)
        pages.append(page)
    return parse_members(pages)


def _cached_page(
    client: GitHubClient, url: str, cache: EtagCache, *, endpoint: str, org: str
) -> tuple[list[JSON], str | None]:
    cached = cache.get(url)
    etag = cached[0] if cached and cached[1] is not None else None
    try:
        response = client.get(url, etag=etag, endpoint=endpoint)
    except NotFoundError as error:
        raise OrganizationNotFound(
            f"organization {org!r} not found (check [github] org and api_url)",
            status=error.status,
            request_id=error.request_id,
        ) from None
    if response.not_modified and cached is not None and cached[1] is not None:
        stored = json.loads(cached[1])
        return list(stored["items"]), stored["next"]
    items = list(response.data or [])
    if response.etag:
        cache.put(url, response.etag, json.dumps({"items": items, "next": response.next_url}))
    return items, response.next_url


@dataclass(frozen=True, slots=True)
class EventsResult:
    """A user's public events newer than asked for.

    `covers_since` is true when the events reach back to the time asked for, or when the
    feed holds all of the user's recent events; otherwise something may be missing and
    search must fill the gap.
    """

    not_modified: bool
    etag: str | None
    events: list[JSON]
    covers_since: bool


def fetch_user_events(
    client: GitHubClient, login: str, *, etag: str | None, since: datetime, now: datetime
) -> EventsResult:
    url = f"/users/{quote(login)}/events/public"
    first = client.get(url, {"per_page": 100}, etag=etag, endpoint="GET /users/{login}/events/public")
    if first.not_modified:
        return EventsResult(True, etag, [], True)
    events: list[JSON] = list(first.data or [])
    page: ApiResponse | None = first
    while page is not None and not _reaches(events, since) and page.next_url:
        try:
            page = client.get(page.next_url, endpoint="GET /users/{login}/events/public")
        except SearchLimitError:  # GitHub ends this feed with a 422 past its cap
            page = None
            break
        events.extend(page.data or [])
    feed_ended = page is not None and page.next_url is None
    retention_start = now - timedelta(days=29)
    covers = _reaches(events, since) or (feed_ended and len(events) < 300 and since >= retention_start)
    fresh = [event for event in events if (parse_time(event.get("created_at")) or now) >= since]
    return EventsResult(False, first.etag, fresh, covers)


def _reaches(events: list[JSON], since: datetime) -> bool:
    return any((parse_time(event.get("created_at")) or since) < since for event in events)


def search_issues(
    client: GitHubClient,
    qualifiers: str,
    *,
    start: datetime,
    end: datetime,
    report: Callable[[str], None] = lambda _message: None,
) -> Iterator[JSON]:
    """Issues and PRs matching `qualifiers` and updated in [start, end), oldest first.

    Search answers at most 1,000 results per query, so the date range is halved until
    each slice fits. Search qualifiers have a resolution of one second, so `end` and
    every split point are whole seconds.
    """
    end = end.replace(microsecond=0)
    slices: deque[tuple[datetime, datetime]] = deque([(start, end)])
    while slices:
        low, high = slices.popleft()
        outcome = _search_slice(client, qualifiers, low, high)
        if isinstance(outcome, int):
            if high - low <= MIN_SEARCH_SLICE:
                report(
                    f"search for {qualifiers!r} near {low:%Y-%m-%d %H:%M:%S} has {outcome} results; "
                    f"only the first {SEARCH_RESULT_CAP} are reachable"
                )
                yield from _search_pages(client, _slice_query(qualifiers, low, high))
                continue
            middle = (low + (high - low) / 2).replace(microsecond=0)
            slices.extendleft([(middle, high), (low, middle)])
            continue
        yield from outcome


def _search_slice(
    client: GitHubClient, qualifiers: str, low: datetime, high: datetime
) -> int | Iterator[JSON]:
    """The slice's items, or its total count when it is too big (or too slow) for one query.

    The items stream page by page: a full slice is 1,000 results, tens of megabytes as JSON.
    """
    query = _slice_query(qualifiers, low, high)
    for _attempt in range(SEARCH_INCOMPLETE_RETRIES + 1):
        first = client.get("/search/issues", _search_params(query), endpoint="GET /search/issues")
        total = int(first.data.get("total_count", 0))
        if total > SEARCH_RESULT_CAP:
            return total
        if not first.data.get("incomplete_results"):
            return _pages_from(client, first)
    return SEARCH_RESULT_CAP + 1 if high - low > MIN_SEARCH_SLICE else _search_pages(client, query)


def _pages_from(client: GitHubClient, first: ApiResponse) -> Iterator[JSON]:
    yield from first.data.get("items", [])
    yield from _more_search_pages(client, first)


def _search_pages(client: GitHubClient, query: str) -> Iterator[JSON]:
    first = client.get("/search/issues", _search_params(query), endpoint="GET /search/issues")
    yield from _pages_from(client, first)


def _more_search_pages(client: GitHubClient, first: ApiResponse) -> Iterator[JSON]:
    page = first
    while page.next_url:
        try:
            page = client.get(page.next_url, endpoint="GET /search/issues")
        except SearchLimitError:
            return
        yield from page.data.get("items", [])


def _search_params(query: str) -> dict[str, Any]:
    return {"q": query, "sort": "updated", "order": "asc", "per_page": 100}


def _slice_query(qualifiers: str, low: datetime, high: datetime) -> str:
    last = high - timedelta(seconds=1)
    return f"{qualifiers} updated:{_iso(low)}..{_iso(last)}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fetch_repo(client: GitHubClient, full_name: str, *, etag: str | None) -> ApiResponse:
    """Raises NotFoundError for a repo that does not exist or that the token cannot see."""
    return client.get(f"/repos/{full_name}", etag=etag, endpoint="GET /repos/{owner}/{repo}")


def fetch_issue(
    client: GitHubClient,
    repo: str,
    number: int,
    *,
    etag: str | None = None,
    modified_since: datetime | None = None,
) -> ApiResponse:
    """The issue (or PR), conditional on its ETag or, without one, on the `updated_at` last seen."""
    return client.get(
        f"/repos/{repo}/issues/{number}",
        etag=etag,
        modified_since=modified_since,
        endpoint="GET /repos/{owner}/{repo}/issues/{number}",
    )


def fetch_issue_comments(client: GitHubClient, repo: str, number: int, *, since: datetime) -> Iterator[JSON]:
    pages = client.paginate(
        f"/repos/{repo}/issues/{number}/comments",
        {"since": _iso(since)},
        endpoint="GET /repos/{owner}/{repo}/issues/{number}/comments",
    )
    for page in pages:
        yield from page.data or []


@dataclass(frozen=True, slots=True)
class Listing:
    """A list whose size is known from its first page, to choose between it and narrower requests."""

    pages: int
    items: Iterator[JSON]


def list_repo_comments(client: GitHubClient, repo: str, *, since: datetime) -> Listing:
    """Every conversation comment of a repo updated since `since`; costs one request to size it."""
    endpoint = "GET /repos/{owner}/{repo}/issues/comments"
    first = client.get(
        f"/repos/{repo}/issues/comments", {"since": _iso(since), "per_page": 100}, endpoint=endpoint
    )

    def items() -> Iterator[JSON]:
        page = first
        yield from page.data or []
        while page.next_url:
            page = client.get(page.next_url, endpoint=endpoint)
            yield from page.data or []

    return Listing(first.page_count, items())


def issue_number_from_url(issue_url: str) -> int | None:
    tail = issue_url.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def fetch_pull_reviews(client: GitHubClient, repo: str, number: int) -> Iterator[JSON]:
    pages = client.paginate(
        f"/repos/{repo}/pulls/{number}/reviews", endpoint="GET /repos/{owner}/{repo}/pulls/{number}/reviews"
    )
    for page in pages:
        yield from page.data or []


def search_qualifiers(login: str) -> Mapping[str, str]:
    """The three searches that find everything one login did (see README: how counting works)."""
    return {
        "authored": f"author:{login}",
        "commented": f"commenter:{login}",
        "reviewed": f"reviewed-by:{login} is:pr",
    }
