"""GitHub JSON (in its documented shapes) to records. Pure: no I/O.

Deleted accounts come as `user: null` (no author) or as the `ghost` login (kept, never counted);
null fields and missing optional keys parse to None or an empty value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from tracker.domain import OrgMember, RepoRecord
from tracker.github.records import (
    Activity,
    Comment,
    CommentCreated,
    CommentToFetch,
    IssueOpened,
    IssueSummary,
    IssueToFetch,
    Review,
    ReviewToFetch,
    UserEvent,
)

JSON = Mapping[str, Any]
EVENT_TYPES = frozenset({"IssuesEvent", "IssueCommentEvent", "PullRequestEvent", "PullRequestReviewEvent"})


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def format_time(moment: datetime) -> str:
    """The form GitHub's query parameters and search qualifiers take: `2026-11-28T12:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def required_time(value: str | None) -> datetime:
    parsed = parse_time(value)
    if parsed is None:
        raise ValueError("a required timestamp is missing")
    return parsed


def repo_name_from_url(repository_url: str) -> str:
    """`https://api.github.com/repos/OWNER/NAME` (or /api/v3/repos/...) to `OWNER/NAME`."""
    _, _, tail = repository_url.partition("/repos/")
    owner, _, rest = tail.partition("/")
    name = rest.split("/", 1)[0]
    return f"{owner}/{name}"


def issue_number_from_url(issue_url: str) -> int | None:
    tail = issue_url.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def login_of(user: JSON | None) -> str | None:
    """None when GitHub sends `user: null`; a deleted account's `ghost` login is kept (never counted)."""
    if not user or not user.get("login"):
        return None
    return str(user["login"])


def parse_issue(data: JSON, repo: str | None = None) -> IssueSummary:
    pull_request = data.get("pull_request")
    user = data.get("user")
    return IssueSummary(
        github_id=int(data["id"]),
        repo=repo or repo_name_from_url(str(data["repository_url"])),
        number=int(data["number"]),
        title=str(data.get("title") or ""),
        url=str(data.get("html_url") or ""),
        author=login_of(user),
        author_type=str(user.get("type")) if user else None,
        is_pull_request=pull_request is not None,
        state=str(data.get("state") or "open"),
        created_at=required_time(data.get("created_at")),
        updated_at=required_time(data.get("updated_at") or data.get("created_at")),
        closed_at=parse_time(data.get("closed_at")),
        merged_at=parse_time(pull_request.get("merged_at")) if pull_request else None,
        labels=tuple(str(label["name"]) for label in data.get("labels") or () if isinstance(label, Mapping)),
    )


def parse_comment(data: JSON) -> Comment:
    return Comment(
        github_id=int(data["id"]),
        author=login_of(data.get("user")),
        url=str(data.get("html_url") or ""),
        created_at=required_time(data.get("created_at")),
        issue_number=issue_number_from_url(str(data.get("issue_url") or "")),
    )


def parse_review(data: JSON) -> Review:
    return Review(
        github_id=int(data["id"]),
        author=login_of(data.get("user")),
        state=str(data.get("state") or ""),
        url=str(data.get("html_url") or ""),
        submitted_at=parse_time(data.get("submitted_at")),
    )


def parse_repo(data: JSON, fetched_at: datetime) -> RepoRecord:
    license_obj = data.get("license")
    spdx = None
    if isinstance(license_obj, Mapping):
        spdx = str(license_obj.get("spdx_id") or "NOASSERTION")
    return RepoRecord(
        full_name=str(data["full_name"]),
        exists=True,
        private=bool(data.get("private", False)),
        fork=bool(data.get("fork", False)),
        archived=bool(data.get("archived", False)),
        stars=int(data.get("stargazers_count") or 0),
        topics=tuple(str(topic) for topic in data.get("topics") or ()),
        description=data.get("description"),
        license_spdx=spdx,
        has_license=isinstance(license_obj, Mapping),
        html_url=data.get("html_url"),
        fetched_at=fetched_at,
    )


def parse_members(pages: Iterable[Iterable[JSON]]) -> list[OrgMember]:
    return [
        OrgMember(str(user["login"]), str(user.get("type") or "User"), _user_id(user))
        for page in pages
        for user in page
        if user.get("login")
    ]


def _user_id(user: JSON) -> int | None:
    value = user.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Events ---------------------------------------------------------------------------------------


def parse_event(data: JSON) -> UserEvent | None:
    """None for an event that can carry no contribution (another type, or no repo)."""
    repo = str((data.get("repo") or {}).get("name") or "")
    kind = data.get("type")
    if not repo or kind not in EVENT_TYPES:
        return None
    activity = _activity(str(kind), repo, data.get("payload") or {})
    return UserEvent(repo, parse_time(data.get("created_at")), activity)


def _activity(kind: str, repo: str, payload: JSON) -> Activity | None:
    """What the sync needs of one event of the four kinds in EVENT_TYPES."""
    if kind == "IssuesEvent":
        return _issue_opened(repo, payload.get("issue") or {}) if payload.get("action") == "opened" else None
    if kind == "IssueCommentEvent":
        return _comment_created(payload) if payload.get("action") == "created" else None
    if kind == "PullRequestEvent":
        number = payload.get("number") or (payload.get("pull_request") or {}).get("number")
        return IssueToFetch(int(number)) if number else None
    return _review_submitted(payload)


def _issue_opened(repo: str, issue: JSON) -> IssueOpened | IssueToFetch | None:
    """The whole issue when the payload has it; since GitHub trimmed payloads, often only its number."""
    if issue.get("title") and issue.get("user") and issue.get("created_at"):
        return IssueOpened(parse_issue(issue, repo))
    return IssueToFetch(int(issue["number"])) if issue.get("number") else None


def _review_submitted(payload: JSON) -> ReviewToFetch | None:
    number = (payload.get("pull_request") or {}).get("number")
    submitted_at = parse_time((payload.get("review") or {}).get("submitted_at"))
    return ReviewToFetch(int(number), submitted_at) if number else None


def _comment_created(payload: JSON) -> CommentCreated | CommentToFetch | None:
    issue = payload.get("issue") or {}
    comment = payload.get("comment") or {}
    number = issue.get("number")
    if not number:
        return None
    if issue.get("title") and comment.get("id") and comment.get("created_at"):
        return CommentCreated(int(number), str(issue["title"]), parse_comment(comment))
    return CommentToFetch(int(number), parse_time(comment.get("created_at")))
