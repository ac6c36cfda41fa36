"""Issue search: the queries that find what one login did, sliced under search's 1,000 cap."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from tracker.domain import is_github_login
from tracker.github.answers import ApiResponse
from tracker.github.client import GitHubClient
from tracker.github.errors import ListingTooLong, SearchLimitError
from tracker.github.parse import format_time, parse_search_count, parse_search_items
from tracker.github.records import IssueSummary

SEARCH_RESULT_CAP = 1000
# GitHub serves the first 1,000 results, 10 pages of 100: a search is followed no further.
SEARCH_PAGES = SEARCH_RESULT_CAP // 100
SEARCH_INCOMPLETE_RETRIES = 2
MIN_SEARCH_SLICE = timedelta(seconds=2)


def search_qualifiers(login: str) -> Mapping[str, str]:
    """The three searches that find everything one login did (see README: how counting works),
    and the one that finds the pull requests they still have open."""
    if not is_github_login(login):
        raise ValueError(f"{login[:60]!r} is not a GitHub login: it must never reach a search query")
    return {
        "authored": f"author:{login}",
        "commented": f"commenter:{login}",
        "reviewed": f"reviewed-by:{login} is:pr",
        "open_pull_requests": f"author:{login} is:pr is:open",
    }


def search_issues(
    client: GitHubClient,
    qualifiers: str,
    *,
    start: datetime,
    end: datetime,
    report: Callable[[str], None] = lambda _message: None,
) -> Iterator[IssueSummary]:
    """Issues and PRs matching `qualifiers` and updated in [start, end), oldest first.

    Search answers at most 1,000 results per query, so the date range is halved until
    each slice fits. Search qualifiers have a resolution of one second, so `end` and
    every split point are whole seconds.
    """
    yield from _search_items(client, qualifiers, start, end, report)


def _search_items(
    client: GitHubClient, qualifiers: str, start: datetime, end: datetime, report: Callable[[str], None]
) -> Iterator[IssueSummary]:
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
                yield from _search_pages(client, slice_query(qualifiers, low, high))
                continue
            middle = (low + (high - low) / 2).replace(microsecond=0)
            slices.extendleft([(middle, high), (low, middle)])
            continue
        yield from outcome


def _search_slice(
    client: GitHubClient, qualifiers: str, low: datetime, high: datetime
) -> int | Iterator[IssueSummary]:
    """The slice's items, or its total count when it is too big (or too slow) for one query.

    The items stream page by page: a full slice is 1,000 results, tens of megabytes as JSON.
    """
    query = slice_query(qualifiers, low, high)
    for _attempt in range(SEARCH_INCOMPLETE_RETRIES + 1):
        first = client.get("/search/issues", _search_params(query), endpoint="GET /search/issues")
        total, incomplete = first.parsed(parse_search_count)
        if total > SEARCH_RESULT_CAP:
            return total
        if not incomplete:
            return _pages_from(client, first)
    return SEARCH_RESULT_CAP + 1 if high - low > MIN_SEARCH_SLICE else _search_pages(client, query)


def _pages_from(client: GitHubClient, first: ApiResponse) -> Iterator[IssueSummary]:
    """The issues of a slice, page by page; search ends at its 10th page (past it GitHub answers
    422, and a Link further on is followed no more)."""
    yield from first.parsed(parse_search_items)
    try:
        for page in client.follow(first, endpoint="GET /search/issues", max_pages=SEARCH_PAGES):
            yield from page.parsed(parse_search_items)
    except (SearchLimitError, ListingTooLong):
        return


def _search_pages(client: GitHubClient, query: str) -> Iterator[IssueSummary]:
    first = client.get("/search/issues", _search_params(query), endpoint="GET /search/issues")
    yield from _pages_from(client, first)


def _search_params(query: str) -> dict[str, Any]:
    return {"q": query, "sort": "updated", "order": "asc", "per_page": 100}


def slice_query(qualifiers: str, low: datetime, high: datetime) -> str:
    last = high - timedelta(seconds=1)
    return f"{qualifiers} updated:{format_time(low)}..{format_time(last)}"
