"""A small GitHub, served through `responses`, in the REST API's documented shapes.

Objects are built from GitHub's real payload shapes (the user object is the one recorded
in @octokit/fixtures); the world answers the endpoints tracker uses, with Link
pagination, ETags and 304s, rate-limit headers, the events feed's limits and search's
1,000-result cap. Any request it does not know fails the test (responses is strict).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlparse

import requests
import responses

API = "https://api.github.com"
JSON = dict[str, Any]
_ids = itertools.count(1000)
PAGINATION_LIMITED = "In order to keep the API fast for everyone, pagination is limited for this resource."


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def user(login: str, *, user_type: str = "User") -> JSON:
    uid = int(hashlib.sha1(login.encode()).hexdigest()[:6], 16)  # noqa: S324 - an id, not security
    return {
        "login": login,
        "id": uid,
        "node_id": "MDQ6VXNlcjE=",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": f"{API}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "followers_url": f"{API}/users/{login}/followers",
        "following_url": f"{API}/users/{login}/following{{/other_user}}",
        "gists_url": f"{API}/users/{login}/gists{{/gist_id}}",
        "starred_url": f"{API}/users/{login}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{API}/users/{login}/subscriptions",
        "organizations_url": f"{API}/users/{login}/orgs",
        "repos_url": f"{API}/users/{login}/repos",
        "events_url": f"{API}/users/{login}/events{{/privacy}}",
        "received_events_url": f"{API}/users/{login}/received_events",
        "type": user_type,
        "user_view_type": "public",
        "site_admin": False,
    }


def repository(
    full_name: str,
    *,
    topics: list[str] | None = None,
    fork: bool = False,
    private: bool = False,
    archived: bool = False,
    license_spdx: str | None = "Apache-2.0",
    description: str | None = "A library",
    stars: int = 100,
) -> JSON:
    owner, name = full_name.split("/")
    license_obj = (
        None
        if license_spdx is None
        else {
            "key": license_spdx.lower() if license_spdx != "NOASSERTION" else "other",
            "name": license_spdx,
            "spdx_id": license_spdx,
            "url": None if license_spdx == "NOASSERTION" else f"{API}/licenses/{license_spdx.lower()}",
            "node_id": "MDc6TGljZW5zZTI=",
        }
    )
    return {
        "id": next(_ids),
        "node_id": "MDEwOlJlcG9zaXRvcnkx",
        "name": name,
        "full_name": full_name,
        "private": private,
        "owner": user(owner, user_type="Organization"),
        "html_url": f"https://github.com/{full_name}",
        "description": description,
        "fork": fork,
        "url": f"{API}/repos/{full_name}",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "pushed_at": "2026-01-01T00:00:00Z",
        "homepage": None,
        "size": 1000,
        "stargazers_count": stars,
        "watchers_count": stars,
        "language": "Python",
        "has_issues": True,
        "forks_count": 10,
        "archived": archived,
        "disabled": False,
        "open_issues_count": 5,
        "license": license_obj,
        "allow_forking": True,
        "is_template": False,
        "topics": topics or [],
        "visibility": "private" if private else "public",
        "forks": 10,
        "open_issues": 5,
        "watchers": stars,
        "default_branch": "main",
    }


@dataclass
class Issue:
    repo: str
    number: int
    author: str
    title: str
    created_at: datetime
    updated_at: datetime
    is_pull_request: bool = False
    state: str = "open"
    closed_at: datetime | None = None
    merged_at: datetime | None = None
    labels: list[str] = field(default_factory=list)
    author_type: str = "User"
    id: int = field(default_factory=lambda: next(_ids))

    def to_json(self) -> JSON:
        base = f"{API}/repos/{self.repo}/issues/{self.number}"
        kind = "pull" if self.is_pull_request else "issues"
        data: JSON = {
            "url": base,
            "repository_url": f"{API}/repos/{self.repo}",
            "labels_url": f"{base}/labels{{/name}}",
            "comments_url": f"{base}/comments",
            "events_url": f"{base}/events",
            "html_url": f"https://github.com/{self.repo}/{kind}/{self.number}",
            "id": self.id,
            "node_id": "MDU6SXNzdWUx",
            "number": self.number,
            "title": self.title,
            "user": user(self.author, user_type=self.author_type),
            "labels": [
                {
                    "id": 1,
                    "node_id": "MDU6TGFiZWwx",
                    "url": f"{API}/repos/{self.repo}/labels/{name}",
                    "name": name,
                    "color": "f29513",
                    "default": False,
                    "description": None,
                }
                for name in self.labels
            ],
            "state": self.state,
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": 0,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "closed_at": iso(self.closed_at) if self.closed_at else None,
            "author_association": "CONTRIBUTOR",
            "active_lock_reason": None,
            "body": "Body text",
            "reactions": {"url": f"{base}/reactions", "total_count": 0, "+1": 0, "-1": 0},
            "timeline_url": f"{base}/timeline",
            "performed_via_github_app": None,
            "state_reason": "completed" if self.state == "closed" else None,
        }
        if self.is_pull_request:
            data["draft"] = False
            data["pull_request"] = {
                "url": f"{API}/repos/{self.repo}/pulls/{self.number}",
                "html_url": f"https://github.com/{self.repo}/pull/{self.number}",
                "diff_url": f"https://github.com/{self.repo}/pull/{self.number}.diff",
                "patch_url": f"https://github.com/{self.repo}/pull/{self.number}.patch",
                "merged_at": iso(self.merged_at) if self.merged_at else None,
            }
        return data


@dataclass
class Comment:
    repo: str
    number: int
    author: str
    created_at: datetime
    id: int = field(default_factory=lambda: next(_ids))

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "node_id": "MDEyOklzc3VlQ29tbWVudDE=",
            "url": f"{API}/repos/{self.repo}/issues/comments/{self.id}",
            "html_url": f"https://github.com/{self.repo}/issues/{self.number}#issuecomment-{self.id}",
            "body": "Me too",
            "user": user(self.author),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
            "issue_url": f"{API}/repos/{self.repo}/issues/{self.number}",
            "author_association": "CONTRIBUTOR",
            "performed_via_github_app": None,
        }


@dataclass
class Review:
    repo: str
    number: int
    author: str
    submitted_at: datetime | None
    state: str = "APPROVED"
    id: int = field(default_factory=lambda: next(_ids))

    def to_json(self) -> JSON:
        data: JSON = {
            "id": self.id,
            "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
            "user": user(self.author),
            "body": "Looks good",
            "state": self.state,
            "html_url": f"https://github.com/{self.repo}/pull/{self.number}#pullrequestreview-{self.id}",
            "pull_request_url": f"{API}/repos/{self.repo}/pulls/{self.number}",
            "author_association": "CONTRIBUTOR",
            "_links": {
                "html": {
                    "href": f"https://github.com/{self.repo}/pull/{self.number}#pullrequestreview-{self.id}"
                },
                "pull_request": {"href": f"{API}/repos/{self.repo}/pulls/{self.number}"},
            },
            "commit_id": "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
        }
        if self.submitted_at is not None:
            data["submitted_at"] = iso(self.submitted_at)
        return data

    def to_graphql(self) -> JSON:
        """The same review as GitHub's GraphQL API answers it."""
        return {
            "fullDatabaseId": str(self.id),
            "author": {"__typename": "User", "login": self.author},
            "state": self.state,
            "submittedAt": iso(self.submitted_at) if self.submitted_at else None,
            "url": f"https://github.com/{self.repo}/pull/{self.number}#pullrequestreview-{self.id}",
        }


def trimmed_pull_request(repo: JSON, number: int) -> JSON:
    """The pull_request object of an event since GitHub trimmed event payloads (October 2025)."""
    full_name = repo["full_name"]
    return {
        "url": f"{API}/repos/{full_name}/pulls/{number}",
        "id": next(_ids),
        "number": number,
        "head": {
            "ref": "feature",
            "sha": "a" * 40,
            "repo": {"id": repo["id"], "url": repo["url"], "name": repo["name"]},
        },
        "base": {
            "ref": "main",
            "sha": "b" * 40,
            "repo": {"id": repo["id"], "url": repo["url"], "name": repo["name"]},
        },
    }


def event(kind: str, actor: str, repo: JSON, payload: JSON, created_at: datetime) -> JSON:
    actor_json = user(actor)
    return {
        "id": str(next(_ids) + 40_000_000_000),
        "type": kind,
        "actor": {
            "id": actor_json["id"],
            "login": actor,
            "display_login": actor,
            "gravatar_id": "",
            "url": actor_json["url"],
            "avatar_url": actor_json["avatar_url"],
        },
        "repo": {"id": repo["id"], "name": repo["full_name"], "url": repo["url"]},
        "payload": payload,
        "public": True,
        "created_at": iso(created_at),
    }


@dataclass
class Faults:
    """Failures to inject: a callable gets the request count and may return a canned response."""

    before: Callable[[int, str], tuple[int, dict[str, str], str] | None] | None = None


class GitHubWorld:
    def __init__(self, *, org: str = "acme", now: datetime, api: str = API) -> None:
        self.org = org
        self.now = now
        self.api = api
        self.members: list[JSON] = []
        self.repos: dict[str, JSON] = {}
        self.moved: dict[str, int] = {}  # a renamed repo's old lower-cased name, to its id
        self.issues: list[Issue] = []
        self.comments: list[Comment] = []
        self.reviews: list[Review] = []
        self.events: dict[str, list[JSON]] = {}
        self.requests: list[tuple[str, int]] = []
        self.urls: list[str] = []  # every request's URL, query included, in order
        self.core_remaining = 5000
        self.search_remaining = 30
        self.reset_at = int(now.timestamp()) + 3600
        self.faults = Faults()
        self.graphql_points = 0
        self.unknown_users: set[str] = set()

    # building ----------------------------------------------------------------------------

    def add_member(self, login: str, *, user_type: str = "User") -> None:
        self.members.append(user(login, user_type=user_type))

    def add_repo(self, full_name: str, **options: Any) -> JSON:
        self.repos[full_name.lower()] = repository(full_name, **options)
        return self.repos[full_name.lower()]

    def rename_repo(self, old: str, new: str) -> JSON:
        """Rename (or transfer) a repo as GitHub does: same id, its issues, comments and reviews
        under the new name, and its old name answered with a 301 to `/repositories/{id}`. The
        events already in feeds keep the old name, as GitHub's do."""
        data = self.repos.pop(old.lower())
        name = new.split("/")[1]
        renamed = repository(new)
        data.update(
            name=name, full_name=new, owner=renamed["owner"], html_url=renamed["html_url"], url=renamed["url"]
        )
        self.repos[new.lower()] = data
        self.moved[old.lower()] = data["id"]
        for thing in (*self.issues, *self.comments, *self.reviews):
            if thing.repo.lower() == old.lower():
                thing.repo = new
        return data

    def add_issue(self, repo: str, author: str, created_at: datetime, **options: Any) -> Issue:
        number = 1 + sum(1 for issue in self.issues if issue.repo == repo)
        updated = options.pop("updated_at", None) or max(
            created_at, options.get("closed_at") or created_at, options.get("merged_at") or created_at
        )
        issue = Issue(
            repo, number, author, options.pop("title", f"Change {number}"), created_at, updated, **options
        )
        self.issues.append(issue)
        return issue

    def add_comment(self, issue: Issue, author: str, created_at: datetime) -> Comment:
        comment = Comment(issue.repo, issue.number, author, created_at)
        self.comments.append(comment)
        issue.updated_at = max(issue.updated_at, created_at)
        return comment

    def add_review(
        self, issue: Issue, author: str, submitted_at: datetime | None, state: str = "APPROVED"
    ) -> Review:
        review = Review(issue.repo, issue.number, author, submitted_at, state)
        self.reviews.append(review)
        if submitted_at is not None:
            issue.updated_at = max(issue.updated_at, submitted_at)
        return review

    def add_event(self, login: str, data: JSON) -> None:
        self.events.setdefault(login.lower(), []).insert(0, data)

    # serving -----------------------------------------------------------------------------

    def install(self, mock: responses.RequestsMock) -> None:
        parts = urlparse(self.api)
        pattern = (
            re.escape(f"{parts.scheme}://{parts.hostname}") + r"(:\d+)?" + re.escape(parts.path) + r"/.*"
        )
        mock.add_callback(responses.GET, re.compile(pattern), callback=self._handle)
        graphql = (
            re.escape(f"{parts.scheme}://{parts.hostname}") + r"(:\d+)?" + re.escape(_graphql_path(self.api))
        )
        mock.add_callback(responses.POST, re.compile(graphql + "$"), callback=self._handle_graphql)

    def count(self, predicate: Callable[[str], bool] | None = None, *, status: int | None = None) -> int:
        return sum(
            1
            for path, code in self.requests
            if (predicate is None or predicate(path)) and (status is None or code == status)
        )

    def _handle(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        self.urls.append(unquote_plus(str(request.url)))
        url = urlparse(str(request.url))
        path = url.path.removeprefix(urlparse(self.api).path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        resource = "search" if path.startswith("/search/") else "core"
        canned = self.faults.before(len(self.requests), path) if self.faults.before else None
        if canned is not None:
            self.requests.append((path, canned[0]))
            return canned
        if (
            "token" not in str(request.headers.get("Authorization", "")).lower()
            and "bearer" not in str(request.headers.get("Authorization", "")).lower()
        ):
            return self._reply(path, 401, {"message": "Requires authentication"}, resource, request)
        status, body, extra = self._route(path, query)
        return self._reply(path, status, body, resource, request, extra)

    def _handle_graphql(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        """GraphQL search as the tracker asks it: pull requests a login reviewed, with their reviews."""
        path = "/graphql"
        payload = json.loads(request.body or b"{}")
        variables = payload.get("variables") or {}
        # Recorded as what it is: a search, sent to the GraphQL API.
        self.urls.append(
            f"{self.api}/graphql search q={variables.get('query')} after={variables.get('after')}"
        )
        canned = self.faults.before(len(self.requests), path) if self.faults.before else None
        if canned is not None:
            self.requests.append((path, canned[0]))
            return canned
        terms = [term for term in variables["query"].split() if not term.startswith("sort:")]
        matches = [issue for issue in self.issues if all(self._matches(issue, term) for term in terms)]
        matches.sort(key=lambda issue: issue.updated_at)
        start = int(variables["after"]) if variables.get("after") else 0
        window = matches[:1000][start : start + 100]
        end = start + len(window)
        self.graphql_points += 1
        body = {
            "data": {
                "rateLimit": {"cost": 1, "remaining": 4999, "resetAt": iso(self.now)},
                "search": {
                    "issueCount": len(matches),
                    "pageInfo": {"hasNextPage": end < min(len(matches), 1000), "endCursor": str(end)},
                    "nodes": [self._graphql_pull(issue) for issue in window],
                },
            }
        }
        return self._reply(path, 200, body, "graphql", request)

    def _graphql_pull(self, issue: Issue) -> JSON:
        reviews = [r for r in self.reviews if r.repo == issue.repo and r.number == issue.number]
        return {
            "__typename": "PullRequest",
            "number": issue.number,
            "title": issue.title,
            "author": {"__typename": issue.author_type, "login": issue.author.removesuffix("[bot]")},
            "repository": {"nameWithOwner": issue.repo},
            "reviews": {
                "pageInfo": {"hasNextPage": len(reviews) > 100},
                "nodes": [review.to_graphql() for review in reviews[:100]],
            },
        }

    def _reply(
        self,
        path: str,
        status: int,
        body: Any,
        resource: str,
        request: requests.PreparedRequest,
        extra: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        text = json.dumps(body)
        etag = etag_of(body)
        not_modified = status == 200 and _not_modified(request, etag, (extra or {}).get("last-modified"))
        if not not_modified and status != 401:
            if resource == "search":
                self.search_remaining -= 1
            elif resource == "core":
                self.core_remaining -= 1
        remaining = {"search": self.search_remaining, "core": self.core_remaining}.get(
            resource, 5000 - self.graphql_points
        )
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-github-request-id": "0000:00000:0000000:0000000:00000000",
            "x-ratelimit-limit": "30" if resource == "search" else "5000",
            "x-ratelimit-remaining": str(max(remaining, 0)),
            "x-ratelimit-reset": str(self.reset_at),
            "x-ratelimit-used": "1",
            "x-ratelimit-resource": resource,
            **(extra or {}),
        }
        if status == 200:
            headers["etag"] = etag
        if not_modified:
            self.requests.append((path, 304))
            return 304, headers, ""
        self.requests.append((path, status))
        return status, headers, text

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        moved = self._moved(path, query)
        if moved is not None:
            return moved
        routes: list[tuple[str, Callable[..., tuple[int, Any, dict[str, str]]]]] = [
            (r"/orgs/(?P<org>[^/]+)/members", self._members),
            (r"/users/(?P<login>[^/]+)/events/public", self._user_events),
            (r"/search/issues", self._search),
            (r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/issues/comments", self._repo_comments),
            (r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/issues/(?P<number>\d+)/comments", self._comments),
            (r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/pulls/(?P<number>\d+)/reviews", self._reviews),
            (r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)/issues/(?P<number>\d+)", self._issue),
            (r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)", self._repo),
        ]
        for pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match:
                return handler(query=query, path=path, **match.groupdict())
        return 404, _not_found(), {}

    def _moved(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]] | None:
        """A renamed repo's old name: GitHub's 301 to the repo by id; the repo by id: served
        under its current name."""
        by_id = re.fullmatch(r"/repositories/(?P<id>\d+)(?P<rest>/.*)?", path)
        if by_id is not None:
            current = next(
                (name for name, data in self.repos.items() if data["id"] == int(by_id["id"])), None
            )
            if current is None:
                return 404, _not_found(), {}
            return self._route(f"/repos/{current}{by_id['rest'] or ''}", query)
        old = re.fullmatch(r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)(?P<rest>/.*)?", path)
        old_name = f"{old['owner']}/{old['name']}".lower() if old is not None else None
        if old is None or old_name not in self.moved:
            return None
        target = f"{self.api}/repositories/{self.moved[old_name]}{old['rest'] or ''}"
        if query:
            target += "?" + urlencode(query)
        body = {
            "message": "Moved Permanently",
            "url": target,
            "documentation_url": "https://docs.github.com/rest",
        }
        return 301, body, {"location": target}

    def _page(
        self, items: list[Any], query: dict[str, str], path: str, *, cap: int | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        if cap is not None and (page - 1) * per_page >= cap:
            return (
                422,
                {"message": PAGINATION_LIMITED},
                {},
            )
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        last = max(1, -(-len(items) // per_page))
        if page < last:
            links.append(f'<{self._url(path, query, page + 1)}>; rel="next"')
            links.append(f'<{self._url(path, query, last)}>; rel="last"')
        return 200, chunk, ({"link": ", ".join(links)} if links else {})

    def _url(self, path: str, query: dict[str, str], page: int) -> str:
        return f"{self.api}{path}?{urlencode({**query, 'page': page})}"

    def _members(self, *, org: str, query: dict[str, str], path: str) -> tuple[int, Any, dict[str, str]]:
        if org.lower() != self.org.lower():
            return 404, _not_found(), {}
        return self._page(self.members, query, path)

    def _user_events(
        self, *, login: str, query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        if login.lower() in self.unknown_users:
            return 404, _not_found(), {}
        horizon = self.now - timedelta(days=30)
        feed = [e for e in self.events.get(login.lower(), []) if parse(e["created_at"]) >= horizon][:300]
        status, body, extra = self._page(feed, query, path, cap=300)
        return status, body, {**extra, "x-poll-interval": "60"}

    def _repo(
        self, *, owner: str, name: str, query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None or repo["private"]:
            return 404, _not_found(), {}
        return 200, repo, {}

    def _find_issue(self, owner: str, name: str, number: str) -> Issue | None:
        full = f"{owner}/{name}".lower()
        return next((i for i in self.issues if i.repo.lower() == full and i.number == int(number)), None)

    def _issue(
        self, *, owner: str, name: str, number: str, query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        issue = self._find_issue(owner, name, number)
        if issue is None:
            return 404, _not_found(), {}
        return (
            200,
            issue.to_json(),
            {"last-modified": format_datetime(issue.updated_at.astimezone(UTC), usegmt=True)},
        )

    def _comments(
        self, *, owner: str, name: str, number: str, query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        if self._find_issue(owner, name, number) is None:
            return 404, _not_found(), {}
        since = parse(query["since"]) if "since" in query else None
        found = [
            c.to_json()
            for c in sorted(self.comments, key=lambda c: c.created_at)
            if c.repo.lower() == f"{owner}/{name}".lower()
            and c.number == int(number)
            and (since is None or c.created_at >= since)
        ]
        return self._page(found, query, path)

    def _repo_comments(
        self, *, owner: str, name: str, query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        if self.repos.get(f"{owner}/{name}".lower()) is None:
            return 404, _not_found(), {}
        since = parse(query["since"]) if "since" in query else None
        found = [
            c.to_json()
            for c in sorted(self.comments, key=lambda c: c.id)
            if c.repo.lower() == f"{owner}/{name}".lower() and (since is None or c.created_at >= since)
        ]
        return self._page(found, query, path)

    def _reviews(
        self, *, owner: str, name: str, number: str, query: dict[str, str], path: str
    ) -> tuple[int, Any, dict[str, str]]:
        if self._find_issue(owner, name, number) is None:
            return 404, _not_found(), {}
        found = [
            r.to_json()
            for r in self.reviews
            if r.repo.lower() == f"{owner}/{name}".lower() and r.number == int(number)
        ]
        return self._page(found, query, path)

    def _search(self, *, query: dict[str, str], path: str) -> tuple[int, Any, dict[str, str]]:
        terms = query["q"].split()
        people = {
            term.partition(":")[2].lower() for term in terms if term.partition(":")[0] in _PERSON_QUALIFIERS
        }
        if people & self.unknown_users:
            return 422, _cannot_search_users(), {}
        matches = [issue for issue in self.issues if all(self._matches(issue, term) for term in terms)]
        order = query.get("order", "desc")
        matches.sort(key=lambda issue: issue.updated_at, reverse=order == "desc")
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        if page * per_page > 1000 and (page - 1) * per_page >= 1000:
            return (
                422,
                {
                    "message": "Only the first 1000 search results are available",
                    "documentation_url": "https://docs.github.com/v3/search/",
                },
                {},
            )
        status, items, extra = self._page([dict(i.to_json(), score=1.0) for i in matches[:1000]], query, path)
        return status, {"total_count": len(matches), "incomplete_results": False, "items": items}, extra

    def _matches(self, issue: Issue, term: str) -> bool:
        key, _, value = term.partition(":")
        if key == "author":
            return issue.author.lower() == value.lower()
        if key == "commenter":
            return any(
                c.author.lower() == value.lower() and c.repo == issue.repo and c.number == issue.number
                for c in self.comments
            )
        if key == "reviewed-by":
            return any(
                r.author.lower() == value.lower()
                and r.repo == issue.repo
                and r.number == issue.number
                and r.submitted_at is not None
                for r in self.reviews
            )
        if key == "is" and value in ("open", "closed"):
            return issue.state == value
        if key == "is":
            return issue.is_pull_request == (value == "pr")
        if key == "updated":
            low, _, high = value.partition("..")
            return parse(low) <= issue.updated_at <= parse(high)
        raise AssertionError(f"the fake search does not know {term!r}")


def _graphql_path(api: str) -> str:
    """/graphql beside the REST API's path: /api/graphql for GitHub Enterprise Server's /api/v3."""
    path = urlparse(api).path.rstrip("/").removesuffix("/v3")
    return f"{path}/graphql"


def etag_of(body: Any) -> str:
    """The weak ETag the world sends with a 200 of this body."""
    return 'W/"' + hashlib.sha256(json.dumps(body).encode()).hexdigest()[:32] + '"'


def _not_modified(request: requests.PreparedRequest, etag: str, last_modified: str | None) -> bool:
    """If-None-Match when sent (GitHub then ignores If-Modified-Since), else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return if_none_match == etag
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since is None or last_modified is None:
        return False
    return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)


def _not_found() -> JSON:
    return {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}


_PERSON_QUALIFIERS = frozenset({"author", "commenter", "reviewed-by", "involves"})


def _cannot_search_users() -> JSON:
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "message": "The listed users cannot be searched either because the users do not exist "
                "or you do not have permission to view the users.",
                "resource": "Search",
                "field": "q",
                "code": "invalid",
            }
        ],
        "documentation_url": "https://docs.github.com/v3/search/",
        "status": "422",
    }
