"""The pull requests a login reviewed, with their reviews, through GraphQL search: 100 a query for
a point, where REST needs one request per pull request for its reviews.

The same search as REST's (`reviewed-by:LOGIN is:pr`, updated in the range, oldest first), sliced
the same way under search's 1,000 cap. GraphQL has no `[bot]` in a Bot's login and an author
that is gone is null: both are read back to what REST says, so the rows are the same either way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from tracker.github.client import GitHubClient
from tracker.github.errors import UnexpectedAnswer
from tracker.github.graphql import RATE_LIMIT_FIELDS, GraphQLAnswer
from tracker.github.parse import JSON, ShapeError, kind_of, login_of, parse_time
from tracker.github.records import Review, ReviewedPullRequest
from tracker.github.search import MIN_SEARCH_SLICE, SEARCH_RESULT_CAP, search_qualifiers, slice_query

ENDPOINT = "POST /graphql (reviewed pull requests)"
PAGE = 100
# A query of 100 pull requests with 100 reviews each: 10,100 nodes (the limit is 500,000), and
# (1 + 100) requests / 100 = 1 point.
REVIEWED_PULL_REQUESTS = f"""
query ReviewedPullRequests($query: String!, $after: String) {{
  {RATE_LIMIT_FIELDS}
  search(query: $query, type: ISSUE, first: {PAGE}, after: $after) {{
    issueCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      __typename
      ... on PullRequest {{
        number
        title
        author {{ __typename login }}
        repository {{ nameWithOwner }}
        reviews(first: {PAGE}) {{
          pageInfo {{ hasNextPage }}
          nodes {{ fullDatabaseId author {{ __typename login }} state submittedAt url }}
        }}
      }}
    }}
  }}
}}
"""


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    pulls: list[ReviewedPullRequest]
    next_cursor: str | None


def fetch_reviewed_pull_requests(
    client: GitHubClient,
    login: str,
    *,
    start: datetime,
    end: datetime,
    report: Callable[[str], None] = lambda _message: None,
) -> Iterator[ReviewedPullRequest]:
    """The pull requests `login` reviewed that were updated in [start, end), oldest first."""
    qualifiers = search_qualifiers(login)["reviewed"]
    slices: deque[tuple[datetime, datetime]] = deque([(start, end.replace(microsecond=0))])
    while slices:
        low, high = slices.popleft()
        query = f"{slice_query(qualifiers, low, high)} sort:updated-asc"
        page = _search_page(client, query, after=None)
        if page.total > SEARCH_RESULT_CAP:
            if high - low > MIN_SEARCH_SLICE:
                middle = (low + (high - low) / 2).replace(microsecond=0)
                slices.extendleft([(middle, high), (low, middle)])
                continue
            report(
                f"search for {qualifiers!r} near {low:%Y-%m-%d %H:%M:%S} has {page.total} results; "
                f"only the first {SEARCH_RESULT_CAP} are reachable"
            )
        yield from page.pulls
        while page.next_cursor is not None:
            page = _search_page(client, query, after=page.next_cursor)
            yield from page.pulls


def _search_page(client: GitHubClient, query: str, *, after: str | None) -> SearchPage:
    answer = client.graphql(REVIEWED_PULL_REQUESTS, {"query": query, "after": after}, endpoint=ENDPOINT)
    try:
        return parse_search_page(answer.data)
    except (ShapeError, KeyError, TypeError) as error:
        raise _unexpected(answer, str(error)) from None


def _unexpected(answer: GraphQLAnswer, detail: str) -> UnexpectedAnswer:
    message = f"GitHub's GraphQL answer is not what was asked for: {detail}"
    return UnexpectedAnswer(message, status=200, request_id=answer.request_id)


# Parsing: GitHub's GraphQL shapes to records -------------------------------------------------


def parse_search_page(data: JSON) -> SearchPage:
    search = _object(data, "search")
    total = search["issueCount"]
    if type(total) is not int:
        raise ShapeError(f"'issueCount' is {kind_of(total)}, not an integer")
    info = _object(search, "pageInfo")
    has_next = info["hasNextPage"] is True
    cursor = info.get("endCursor")
    if has_next and not isinstance(cursor, str):
        raise ShapeError("a next page without its cursor")
    nodes = _nodes(search)
    pulls = [parse_reviewed_pull_request(node) for node in nodes if node["__typename"] == "PullRequest"]
    return SearchPage(total, pulls, cursor if has_next else None)


def parse_reviewed_pull_request(node: JSON) -> ReviewedPullRequest:
    repository = _object(node, "repository")
    reviews = _object(node, "reviews")
    title, repo, number = node["title"], repository["nameWithOwner"], node["number"]
    if not isinstance(title, str) or not isinstance(repo, str) or type(number) is not int:
        raise ShapeError("a pull request without its title, repository or number")
    return ReviewedPullRequest(
        repo=repo,
        number=number,
        title=title,
        author=actor_login(node.get("author")),
        reviews=tuple(parse_graphql_review(review) for review in _nodes(reviews)),
        reviews_complete=_object(reviews, "pageInfo")["hasNextPage"] is False,
    )


def parse_graphql_review(node: JSON) -> Review:
    """A PullRequestReview as REST's record: its id is the REST id (`fullDatabaseId`, a BigInt
    sent as a string), its url REST's `html_url`."""
    identifier = node.get("fullDatabaseId")
    if not isinstance(identifier, str | int) or not str(identifier).isdigit():
        raise ShapeError(f"'fullDatabaseId' is {kind_of(identifier)}, not an id")
    state, url = node["state"], node["url"]
    if not isinstance(state, str) or not isinstance(url, str):
        raise ShapeError("a review without its state or url")
    return Review(
        github_id=int(identifier),
        author=actor_login(node.get("author")),
        state=state,
        url=url,
        submitted_at=parse_time(node.get("submittedAt"), "'submittedAt'"),
    )


def actor_login(actor: object) -> str | None:
    """An Actor's login as REST spells it: a Bot's with `[bot]`; None for an author that is gone."""
    if actor is None:
        return None
    if not isinstance(actor, dict):
        raise ShapeError(f"an author is {kind_of(actor)}, not an object")
    login = actor.get("login")
    if actor.get("__typename") == "Bot" and isinstance(login, str):
        login = f"{login}[bot]"
    return login_of({"login": login})


def _object(data: JSON, key: str) -> JSON:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ShapeError(f"{key!r} is {kind_of(value)}, not an object")
    return value


def _nodes(connection: JSON) -> list[JSON]:
    nodes = connection.get("nodes")
    if not isinstance(nodes, list) or not all(isinstance(node, dict) for node in nodes):
        raise ShapeError("'nodes' is not a list of objects")
    return nodes
