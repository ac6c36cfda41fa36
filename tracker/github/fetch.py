"""Fetchers: read GitHub and hand back records (tracker.github.records). They never touch the
database; the caller injects what they need to know (validators, where to stop).

Every answer is checked for its shape as it is parsed (`answers.ApiResponse.parsed_items`), and
every listing has a most pages it is followed for, well above any real one (each listing's own
bound below): past it, the listing is refused (`ListingTooLong`) rather than cut, since its
items may be needed, except where the end of a feed is allowed (the events feed, search).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from tracker.domain import OrgMember
from tracker.github.answers import ApiResponse
from tracker.github.client import GitHubClient
from tracker.github.errors import ListingTooLong, NotFoundError, SearchLimitError
from tracker.github.parse import (
    JSON,
    format_time,
    parse_comment,
    parse_event,
    parse_issue,
    parse_member,
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
    UserEvent,
)

EVENTS_RETENTION = timedelta(days=29)
EVENTS_FEED_CAP = 300
# The most pages (of 100) followed per listing: 100,000 members; 10,000 comments on one issue or
# reviews of one PR (GitHub's busiest threads hold a few thousand); 100,000 comments of a repo
# (read so only when it takes fewer pages than asking issue by issue); the events feed ends at
# 300 events, 3 pages, and is followed no further than 10 (search fills any gap).
MEMBER_PAGES = 1_000
THREAD_PAGES = 100
REPO_COMMENT_PAGES = 1_000
EVENT_PAGES = 10


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
    members: list[OrgMember] = []
    url: str | None = f"/orgs/{quote(org)}/members?per_page=100"
    for _ in range(MEMBER_PAGES):
        if url is None:
            return members
        page, url, response = _cached_page(client, url, cache, endpoint="GET /orgs/{org}/members", org=org)
        members.extend(page)
    if url is None:
        return members
    raise client.listing_too_long(response, MEMBER_PAGES)


def _cached_page(
    client: GitHubClient, url: str, cache: EtagCache, *, endpoint: str, org: str
) -> tuple[list[OrgMember], str | None, ApiResponse]:
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
        return [parse_member(item) for item in stored["items"]], stored["next"], response
    members = response.parsed_items(parse_member)
    next_url = client.next_page_url(response)
    if response.etag:
        cache.put(url, response.etag, json.dumps({"items": response.objects(), "next": next_url}))
    return members, next_url, response


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
    return RepoFetched(response.parsed(lambda data: parse_repo(data, fetched_at)), response.etag)


def fetch_issue(client: GitHubClient, repo: str, number: int) -> IssueSummary:
    """The issue (or PR); raises NotFoundError when it is gone."""
    response = _get_issue(client, repo, number, etag=None, modified_since=None)
    return response.parsed(lambda data: parse_issue(data, repo))


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
    issue = response.parsed(lambda data: parse_issue(data, repo))
    return IssueFetched(issue, response.etag, response.last_modified)


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
        max_pages=THREAD_PAGES,
    )
    for page in pages:
        yield from page.parsed_items(parse_comment)


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
    first_comments = first.parsed_items(parse_comment)

    def items() -> Iterator[Comment]:
        yield from first_comments
        for page in client.follow(first, endpoint=endpoint, max_pages=REPO_COMMENT_PAGES):
            yield from page.parsed_items(parse_comment)

    return Listing(first.page_count, items())


def fetch_pull_reviews(client: GitHubClient, repo: str, number: int) -> Iterator[Review]:
    pages = client.paginate(
        f"/repos/{repo}/pulls/{number}/reviews",
        endpoint="GET /repos/{owner}/{repo}/pulls/{number}/reviews",
        max_pages=THREAD_PAGES,
    )
    for page in pages:
        yield from page.parsed_items(parse_review)


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
        items, covers = _events_since(client, first, since, now)
    except NotFoundError:
        return Missing()
    fresh = [item.event for item in reversed(items) if (item.at or now) >= since]
    return EventsFetched(first.etag, [event for event in fresh if event is not None], covers)


@dataclass(frozen=True, slots=True)
class _FeedItem:
    """One event of the feed: when it happened, and what it says if it is of a kind that counts."""

    at: datetime | None
    event: UserEvent | None


def _feed_item(data: JSON) -> _FeedItem:
    return _FeedItem(parse_time(data.get("created_at"), "'created_at'"), parse_event(data))


def _events_since(
    client: GitHubClient, first: ApiResponse, since: datetime, now: datetime
) -> tuple[list[_FeedItem], bool]:
    """The feed's events (newest first), page by page until they reach `since`, and whether they
    cover it: they reach it, or the feed ended short of its 300 events within its retention."""
    items = first.parsed_items(_feed_item)
    last: ApiResponse | None = first
    pages = client.follow(first, endpoint="GET /users/{login}/events/public", max_pages=EVENT_PAGES)
    try:
        while last is not None and last.next_url is not None and not _reaches(items, since):
            last = next(pages, None)
            items.extend(last.parsed_items(_feed_item) if last is not None else [])
    except (SearchLimitError, ListingTooLong):  # GitHub ends this feed with a 422 past its cap
        last = None
    feed_ended = last is not None and last.next_url is None
    covers = _reaches(items, since) or (
        feed_ended and len(items) < EVENTS_FEED_CAP and since >= now - EVENTS_RETENTION
    )
    return items, covers


def _reaches(items: list[_FeedItem], since: datetime) -> bool:
    return any((item.at or since) < since for item in items)
