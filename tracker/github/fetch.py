"""Fetchers: read GitHub and hand back records (tracker.github.records). They never touch the
database; the caller injects what they need to know (validators, where to stop)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from tracker.domain import OrgMember
from tracker.github.client import ApiResponse, GitHubClient
from tracker.github.errors import NotFoundError, SearchLimitError
from tracker.github.parse import (
    JSON,
    format_time,
    parse_comment,
    parse_event,
    parse_issue,
    parse_members,
    parse_repo,
    parse_review,
    parse_time,
)
from tracker.github.records import (
    Comment,
    EventsFetched,
    IssueFetched,
    IssueSummary,
    Missing,
    NotModified,
    RepoFetched,
    Review,
)

EVENTS_RETENTION = timedelta(days=29)
EVENTS_FEED_CAP = 300


class EtagCache(Protocol):
    """Where conditional-request validators (and replayable bodies) are kept between runs."""

    def get(self, key: str) -> tuple[str, str | None] | None: ...

    def put(self, key: str, etag: str, body: str | None) -> None: ...


class OrganizationNotFound(NotFoundError):
    pass


# Organization members -------------------------------------------------------------------------


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


# Repos and issues -----------------------------------------------------------------------------


def fetch_repo(
    client: GitHubClient, full_name: str, *, etag: str | None, fetched_at: datetime
) -> RepoFetched | NotModified | Missing:
    """Missing for a repo that does not exist or that the token cannot see."""
    try:
        response = client.get(f"/repos/{full_name}", etag=etag, endpoint="GET /repos/{owner}/{repo}")
    except NotFoundError:
        return Missing()
    if response.not_modified:
        return NotModified(response.etag)
    return RepoFetched(parse_repo(response.data, fetched_at), response.etag)


def fetch_issue(client: GitHubClient, repo: str, number: int) -> IssueSummary:
    """The issue (or PR); raises NotFoundError when it is gone."""
    return parse_issue(_get_issue(client, repo, number, etag=None, modified_since=None).data, repo)


def fetch_issue_if_changed(
    client: GitHubClient, repo: str, number: int, *, etag: str | None, modified_since: datetime | None
) -> IssueFetched | NotModified | Missing:
    """The issue (or PR), conditional on its ETag or, without one, on the `updated_at` last seen."""
    try:
        response = _get_issue(client, repo, number, etag=etag, modified_since=modified_since)
    except NotFoundError:
        return Missing()
    if response.not_modified:
        return NotModified(response.etag)
    return IssueFetched(parse_issue(response.data, repo), response.etag, response.last_modified)


def _get_issue(
    client: GitHubClient, repo: str, number: int, *, etag: str | None, modified_since: datetime | None
) -> ApiResponse:
    return client.get(
        f"/repos/{repo}/issues/{number}",
        etag=etag,
        modified_since=modified_since,
        endpoint="GET /repos/{owner}/{repo}/issues/{number}",
    )


# Comments and reviews -------------------------------------------------------------------------


def fetch_issue_comments(
    client: GitHubClient, repo: str, number: int, *, since: datetime
) -> Iterator[Comment]:
    pages = client.paginate(
        f"/repos/{repo}/issues/{number}/comments",
        {"since": format_time(since)},
        endpoint="GET /repos/{owner}/{repo}/issues/{number}/comments",
    )
    for page in pages:
        yield from (parse_comment(comment) for comment in page.data or [])


@dataclass(frozen=True, slots=True)
class Listing:
    """A list whose size is known from its first page, to choose between it and narrower requests."""

    pages: int
    items: Iterator[Comment]


def list_repo_comments(client: GitHubClient, repo: str, *, since: datetime) -> Listing:
    """Every conversation comment of a repo updated since `since`; costs one request to size it."""
    endpoint = "GET /repos/{owner}/{repo}/issues/comments"
    first = client.get(
        f"/repos/{repo}/issues/comments", {"since": format_time(since), "per_page": 100}, endpoint=endpoint
    )

    def items() -> Iterator[Comment]:
        page = first
        yield from (parse_comment(comment) for comment in page.data or [])
        while page.next_url:
            page = client.get(page.next_url, endpoint=endpoint)
            yield from (parse_comment(comment) for comment in page.data or [])

    return Listing(first.page_count, items())


def fetch_pull_reviews(client: GitHubClient, repo: str, number: int) -> Iterator[Review]:
    pages = client.paginate(
        f"/repos/{repo}/pulls/{number}/reviews", endpoint="GET /repos/{owner}/{repo}/pulls/{number}/reviews"
    )
    for page in pages:
        yield from (parse_review(review) for review in page.data or [])


# A user's public events -----------------------------------------------------------------------


def fetch_user_events(
    client: GitHubClient, login: str, *, etag: str | None, since: datetime, now: datetime
) -> EventsFetched | NotModified | Missing:
    """The user's events since `since`, oldest first; Missing for an unknown (renamed, deleted) user."""
    try:
        first = client.get(
            f"/users/{quote(login)}/events/public",
            {"per_page": 100},
            etag=etag,
            endpoint="GET /users/{login}/events/public",
        )
        if first.not_modified:
            return NotModified(first.etag)
        events, covers = _events_since(client, first, since, now)
    except NotFoundError:
        return Missing()
    fresh = [event for event in events if (parse_time(event.get("created_at")) or now) >= since]
    parsed = (parse_event(event) for event in reversed(fresh))
    return EventsFetched(first.etag, [event for event in parsed if event is not None], covers)


def _events_since(
    client: GitHubClient, first: ApiResponse, since: datetime, now: datetime
) -> tuple[list[JSON], bool]:
    """The feed's pages (newest first) until they reach `since`, and whether they cover it."""
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
    covers = _reaches(events, since) or (
        feed_ended and len(events) < EVENTS_FEED_CAP and since >= now - EVENTS_RETENTION
    )
    return events, covers


def _reaches(events: list[JSON], since: datetime) -> bool:
    return any((parse_time(event.get("created_at")) or since) < since for event in events)
