"""The GitHub REST endpoints: one small handler per route, each O(page) after its first call.

Handlers read the world through a `RequestContext` and return an `ApiResult`;
HTTP, auth, budgets, ETags and Link headers are the server's business.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

from . import render
from .accounting import CORE, SEARCH, UNCOUNTED, Window
from .index import QueryCache
from .model import Account, Repository, Thread, parse_time
from .query import ListFilter, QueryError, list_repo_threads, parse_search_query, search_threads
from .render import JSON, View

T = TypeVar("T")

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
SEARCH_RESULT_CAP = 1_000
EVENT_CAP = 300
EVENT_DAYS = 30
DOCS = "https://docs.github.com/rest"


@dataclass(slots=True)
class ApiError(Exception):
    status: int
    body: JSON


@dataclass(slots=True)
class ApiResult:
    body: Any
    status: int = 200
    last_page: int | None = None
    last_modified: int | None = None  # epoch seconds; sent as Last-Modified, checked by If-Modified-Since


def single(body: JSON) -> ApiResult:
    """One resource (not a list): like GitHub, its Last-Modified is its `updated_at`."""
    return ApiResult(body, last_modified=parse_time(str(body["updated_at"])))


@dataclass(slots=True)
class RequestContext:
    view: View
    params: dict[str, str]
    query: dict[str, str]
    viewer: Account | None
    cache: QueryCache
    rates: dict[str, Window] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return max(1, _to_int(self.query.get("page"), 1))

    @property
    def per_page(self) -> int:
        wanted = _to_int(self.query.get("per_page"), DEFAULT_PER_PAGE)
        return DEFAULT_PER_PAGE if wanted < 1 else min(wanted, MAX_PER_PAGE)

    def since(self) -> int | None:
        text = self.query.get("since")
        if not text:
            return None
        try:
            return parse_time(text)
        except ValueError as error:
            raise validation_failed("since", "invalid", f"invalid timestamp {text!r}") from error


def _to_int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def error_body(message: str, status: int, documentation_url: str = DOCS) -> JSON:
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


def not_found() -> ApiError:
    return ApiError(404, error_body("Not Found", 404))


def validation_failed(field_name: str, code: str, message: str) -> ApiError:
    body = {
        "message": "Validation Failed",
        "errors": [
            {
                "message": message,
                "resource": "Search" if field_name == "q" else "Issue",
                "field": field_name,
                "code": code,
            }
        ],
        "documentation_url": "https://docs.github.com/v3/search/",
        "status": "422",
    }
    return ApiError(422, body)


def paginate(items: Sequence[T], context: RequestContext) -> tuple[Sequence[T], int]:
    """The requested page and the number of the last page."""
    per_page = context.per_page
    offset = (context.page - 1) * per_page
    return items[offset : offset + per_page], max(1, math.ceil(len(items) / per_page))


def paged(items: Sequence[T], context: RequestContext, render_item: Callable[[T], JSON]) -> ApiResult:
    page, last_page = paginate(items, context)
    return ApiResult([render_item(item) for item in page], last_page=last_page)


# --- lookups -----------------------------------------------------------------


def _org(context: RequestContext) -> Account:
    world = context.view.world
    if context.params["org"].lower() != world.org.login.lower():
        raise not_found()
    return world.org


def _account(context: RequestContext) -> Account:
    account = context.view.world.account(context.params["login"])
    if account is None:
        raise not_found()
    return account


def _repo(context: RequestContext) -> Repository:
    repo = context.view.world.repo(context.params["owner"], context.params["repo"])
    if repo is None or repo.private:
        raise not_found()
    return repo


def _thread(context: RequestContext, *, pull: bool = False) -> Thread:
    thread = _repo(context).thread_by_number(_to_int(context.params["number"], 0))
    if thread is None or (pull and not thread.is_pull):
        raise not_found()
    return thread


def _public_repo_count(context: RequestContext, owner: Account) -> int:
    return sum(1 for repo in context.view.world.repos if repo.owner is owner and not repo.private)


# --- organizations and users ---------------------------------------------------


def get_org(context: RequestContext) -> ApiResult:
    org = _org(context)
    return single(render.organization_full(org, context.view, _public_repo_count(context, org)))


def list_org_members(context: RequestContext) -> ApiResult:
    """Every member: the token is treated as a member's, so concealed members are listed too."""
    _org(context)
    members = sorted(context.view.world.members, key=lambda account: account.id)
    return paged(members, context, lambda account: render.simple_user(account, context.view))


def list_org_public_members(context: RequestContext) -> ApiResult:
    _org(context)
    members = sorted((m for m in context.view.world.members if m.is_public_member), key=lambda m: m.id)
    return paged(members, context, lambda account: render.simple_user(account, context.view))


def get_user(context: RequestContext) -> ApiResult:
    account = _account(context)
    return single(render.full_user(account, context.view, _public_repo_count(context, account)))


def list_user_orgs(context: RequestContext) -> ApiResult:
    """Public memberships only, as for any other user."""
    account = _account(context)
    orgs = [context.view.world.org] if account.is_public_member else []
    return paged(orgs, context, lambda org: render.organization_simple(org, context.view))


def list_user_public_events(context: RequestContext) -> ApiResult:
    """Newest first; at most 300 events and none older than 30 days, like GitHub."""
    account = _account(context)
    now = context.view.world.now
    events = context.view.index.recent_events(account, now - EVENT_DAYS * 86_400, now, EVENT_CAP)
    if (context.page - 1) * context.per_page >= EVENT_CAP:
        message = (
            "In order to keep the API fast for everyone, pagination is limited for this resource. "
            "Check the rel=last link relation in the Link response header "
            "to see how far back you can traverse."
        )
        raise ApiError(422, error_body(message, 422, "https://docs.github.com/v3/#pagination"))
    return paged(events, context, lambda item: render.event(item, context.view))


# --- search ----------------------------------------------------------------------


def search_issues(context: RequestContext) -> ApiResult:
    text = context.query.get("q", "").strip()
    if not text:
        raise validation_failed("q", "missing", "q is required")
    sort = context.query.get("sort", "")
    order = context.query.get("order", "desc")
    key = ("search", " ".join(text.split()), sort, order, context.view.index.version)
    try:
        query = parse_search_query(text)
    except QueryError as error:
        raise validation_failed("q", "invalid", str(error)) from error
    results = context.cache.get_or_compute(
        key, lambda: search_threads(context.view.index, query, sort, order)
    )
    per_page = context.per_page
    offset = (context.page - 1) * per_page
    if offset >= SEARCH_RESULT_CAP:
        body = error_body(
            "Only the first 1000 search results are available", 422, "https://docs.github.com/v3/search/"
        )
        raise ApiError(422, body)
    window = results[offset : min(offset + per_page, SEARCH_RESULT_CAP)]
    last_page = max(1, math.ceil(min(len(results), SEARCH_RESULT_CAP) / per_page))
    items = [render.issue(thread, context.view, search=True) for thread in window]
    return ApiResult(
        {"total_count": len(results), "incomplete_results": False, "items": items}, last_page=last_page
    )


# --- repositories, issues, pulls ------------------------------------------------


def get_repo(context: RequestContext) -> ApiResult:
    return single(render.repository(_repo(context), context.view))


def list_repo_issues(context: RequestContext) -> ApiResult:
    """Issues and pull requests; default state=open, sort=created, direction=desc."""
    wanted = ListFilter(
        state=_choice(context, "state", ("open", "closed", "all"), "open"),
        sort=_choice(context, "sort", ("created", "updated", "comments"), "created"),
        direction=_choice(context, "direction", ("asc", "desc"), "desc"),
        since=context.since(),
        pulls_only=False,
    )
    threads = _listed(context, wanted)
    return paged(threads, context, lambda thread: render.issue(thread, context.view))


def list_repo_pulls(context: RequestContext) -> ApiResult:
    """Default state=open, sort=created; direction defaults to desc for created, asc otherwise."""
    sort = _choice(context, "sort", ("created", "updated", "popularity", "long-running"), "created")
    wanted = ListFilter(
        state=_choice(context, "state", ("open", "closed", "all"), "open"),
        sort=sort,
        direction=_choice(context, "direction", ("asc", "desc"), "desc" if sort == "created" else "asc"),
        since=None,
        pulls_only=True,
    )
    threads = _listed(context, wanted)
    return paged(threads, context, lambda thread: render.pull_request(thread, context.view, detailed=False))


def _listed(context: RequestContext, wanted: ListFilter) -> list[Thread]:
    repo = _repo(context)
    key = ("list", repo.id, wanted, context.view.index.version)
    return context.cache.get_or_compute(key, lambda: list_repo_threads(repo.threads, wanted))


def _choice(context: RequestContext, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = context.query.get(name, default)
    if value not in allowed:
        raise validation_failed(name, "invalid", f"{name} must be one of {', '.join(allowed)}")
    return value


def get_issue(context: RequestContext) -> ApiResult:
    return single(render.issue(_thread(context), context.view, single=True))


def list_issue_comments(context: RequestContext) -> ApiResult:
    """Oldest first; `since` keeps comments updated at or after it."""
    thread = _thread(context)
    since = context.since()
    comments = thread.comments if since is None else [c for c in thread.comments if c.updated_at >= since]
    return paged(comments, context, lambda comment: render.issue_comment(comment, context.view))


def list_repo_issue_comments(context: RequestContext) -> ApiResult:
    """Every conversation comment in the repo, ascending by id; `since` keeps those updated at or after it."""
    repo = _repo(context)
    since = context.since()
    comments = [comment for thread in repo.threads for comment in thread.comments]
    kept = comments if since is None else [c for c in comments if c.updated_at >= since]
    kept.sort(key=lambda comment: comment.id)
    return paged(kept, context, lambda comment: render.issue_comment(comment, context.view))


def list_issue_reactions(context: RequestContext) -> ApiResult:
    thread = _thread(context)
    return paged(render.reaction_list(thread.id, thread.created_at, context.view), context, lambda item: item)


def list_issue_comment_reactions(context: RequestContext) -> ApiResult:
    repo = _repo(context)
    comment = context.view.index.comment_by_id(_to_int(context.params["comment_id"], 0))
    if comment is None or comment.thread.repo is not repo:
        raise not_found()
    return paged(
        render.reaction_list(comment.id, comment.created_at, context.view), context, lambda item: item
    )


def get_pull(context: RequestContext) -> ApiResult:
    return single(render.pull_request(_thread(context, pull=True), context.view))


def list_pull_reviews(context: RequestContext) -> ApiResult:
    """Submitted reviews, plus PENDING ones only for their author (a token named after the login)."""
    thread = _thread(context, pull=True)
    viewer = context.viewer
    visible = [review for review in thread.reviews if review.is_submitted or review.author is viewer]
    return paged(visible, context, lambda review: render.review(review, context.view))


def list_pull_review_comments(context: RequestContext) -> ApiResult:
    _thread(context, pull=True)
    return ApiResult([], last_page=1)


def list_pull_commits(context: RequestContext) -> ApiResult:
    thread = _thread(context, pull=True)
    return paged(render.pull_commits(thread, context.view), context, lambda item: item)


def list_pull_requested_reviewers(context: RequestContext) -> ApiResult:
    _thread(context, pull=True)
    return ApiResult({"users": [], "teams": []})


def list_pull_review_comment_reactions(context: RequestContext) -> ApiResult:
    _repo(context)
    raise not_found()


def get_rate_limit(context: RequestContext) -> ApiResult:
    core = context.rates[CORE].to_json()
    resources: JSON = {"core": core, "search": context.rates[SEARCH].to_json()}
    for name, limit in (
        ("graphql", 5_000),
        ("integration_manifest", 5_000),
        ("source_import", 100),
        ("code_scanning_upload", 1_000),
        ("actions_runner_registration", 10_000),
        ("scim", 15_000),
        ("dependency_snapshots", 100),
        ("code_search", 10),
    ):
        resources[name] = {"limit": limit, "used": 0, "remaining": limit, "reset": core["reset"]}
    return ApiResult({"resources": resources, "rate": core})


# --- routing ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    resource: str
    handler: Callable[[RequestContext], ApiResult]


def _route(template: str, handler: Callable[[RequestContext], ApiResult], resource: str = CORE) -> Route:
    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        allowed = r"\d+" if name in ("number", "comment_id") else r"[^/]+"
        return f"(?P<{name}>{allowed})"

    regex = re.sub(r"\\\{(\w+)\\\}", placeholder, re.escape(template))
    return Route(f"GET {template}", re.compile(f"^{regex}$"), resource, handler)


ROUTES: tuple[Route, ...] = (
    _route("/rate_limit", get_rate_limit, UNCOUNTED),
    _route("/orgs/{org}", get_org),
    _route("/orgs/{org}/members", list_org_members),
    _route("/orgs/{org}/public_members", list_org_public_members),
    _route("/users/{login}", get_user),
    _route("/users/{login}/orgs", list_user_orgs),
    _route("/users/{login}/events/public", list_user_public_events),
    _route("/search/issues", search_issues, SEARCH),
    _route("/repos/{owner}/{repo}", get_repo),
    _route("/repos/{owner}/{repo}/issues", list_repo_issues),
    _route("/repos/{owner}/{repo}/issues/comments", list_repo_issue_comments),
    _route("/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", list_issue_comment_reactions),
    _route("/repos/{owner}/{repo}/issues/{number}", get_issue),
    _route("/repos/{owner}/{repo}/issues/{number}/comments", list_issue_comments),
    _route("/repos/{owner}/{repo}/issues/{number}/reactions", list_issue_reactions),
    _route("/repos/{owner}/{repo}/pulls", list_repo_pulls),
    _route("/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions", list_pull_review_comment_reactions),
    _route("/repos/{owner}/{repo}/pulls/{number}", get_pull),
    _route("/repos/{owner}/{repo}/pulls/{number}/reviews", list_pull_reviews),
    _route("/repos/{owner}/{repo}/pulls/{number}/comments", list_pull_review_comments),
    _route("/repos/{owner}/{repo}/pulls/{number}/commits", list_pull_commits),
    _route("/repos/{owner}/{repo}/pulls/{number}/requested_reviewers", list_pull_requested_reviewers),
)


def match_route(path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        found = route.pattern.match(path)
        if found:
            return route, {name: unquote(value) for name, value in found.groupdict().items()}
    return None
