"""GitHub JSON (in its documented shapes) to records. Pure: no I/O.

Deleted accounts come as `user: null` (no author) or as the `ghost` login (kept, never counted);
null fields and missing optional keys parse to None or an empty value. A required key missing
(an `id`, a `created_at`) or a value of the wrong type (an id as a string, a time without a
zone) is a `ShapeError`: the answer is not believed. A login that is not a GitHub login is no
one's: it is never tracked, and never reaches a search query.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tracker.domain import OrgMember, RepoRecord, is_github_login
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


class ShapeError(ValueError):
    """A value of the wrong type, or a required one missing, in what GitHub answered."""


def parse_time(value: object, name: str = "a timestamp") -> datetime | None:
    """An ISO 8601 time with its zone (GitHub's `2026-11-28T12:00:00Z`); None for null or empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ShapeError(f"{name} is {kind_of(value)}, not a time")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ShapeError(f"{name} is not a time") from None
    if moment.tzinfo is None:
        raise ShapeError(f"{name} has no time zone")
    return moment


def format_time(moment: datetime) -> str:
    """The form GitHub's query parameters and search qualifiers take: `2026-11-28T12:00:00Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def required_time(data: JSON, key: str) -> datetime:
    parsed = parse_time(data.get(key), repr(key))
    if parsed is None:
        raise ShapeError(f"{key!r} is missing")
    return parsed


def kind_of(value: object) -> str:
    """What a JSON value is, for a message (never the value itself: it is a stranger's text)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _int(data: JSON, key: str) -> int:
    value = data.get(key)
    if value is None:
        raise ShapeError(f"{key!r} is missing")
    if type(value) is not int:
        raise ShapeError(f"{key!r} is {kind_of(value)}, not an integer")
    return value


def _optional_int(data: JSON, key: str) -> int | None:
    return None if data.get(key) is None else _int(data, key)


def _text(data: JSON, key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ShapeError(f"{key!r} is {kind_of(value)}, not a string")
    return value


def _flag(data: JSON, key: str) -> bool:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise ShapeError(f"{key!r} is {kind_of(value)}, not true or false")
    return bool(value)


def _object(data: JSON, key: str) -> JSON | None:
    value = data.get(key)
    if value is not None and not isinstance(value, Mapping):
        raise ShapeError(f"{key!r} is {kind_of(value)}, not an object")
    return value


def _list(data: JSON, key: str) -> list[Any]:
    value = data.get(key)
    if value is not None and not isinstance(value, list):
        raise ShapeError(f"{key!r} is {kind_of(value)}, not a list")
    return value or []


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
    """None when GitHub sends `user: null`; a deleted account's `ghost` login is kept (never counted).
    None too for a login that is not a GitHub login: it can be no one tracked."""
    login = _text(user, "login") if user else None
    return login if login and is_github_login(login) else None


def parse_issue(data: JSON, repo: str | None = None) -> IssueSummary:
    pull_request = _object(data, "pull_request")
    user = _object(data, "user")
    created_at = required_time(data, "created_at")
    return IssueSummary(
        github_id=_int(data, "id"),
        repo=repo or repo_name_from_url(_text(data, "repository_url") or ""),
        number=_int(data, "number"),
        title=_text(data, "title") or "",
        url=_text(data, "html_url") or "",
        author=login_of(user),
        author_type=_text(user, "type") if user else None,
        is_pull_request=pull_request is not None,
        state=_text(data, "state") or "open",
        created_at=created_at,
        updated_at=parse_time(data.get("updated_at"), "'updated_at'") or created_at,
        closed_at=parse_time(data.get("closed_at"), "'closed_at'"),
        merged_at=parse_time(pull_request.get("merged_at"), "'merged_at'") if pull_request else None,
        labels=tuple(
            _text(label, "name") or "" for label in _list(data, "labels") if isinstance(label, Mapping)
        ),
    )


def parse_search_count(data: JSON) -> tuple[int, bool]:
    """A search answer's `total_count`, and whether GitHub says its results are incomplete."""
    return _int(data, "total_count"), _flag(data, "incomplete_results")


def parse_search_items(data: JSON) -> list[IssueSummary]:
    """A search answer's page of issues and PRs."""
    found = []
    for index, item in enumerate(_list(data, "items"), start=1):
        if not isinstance(item, Mapping):
            raise ShapeError(f"item {index} is {kind_of(item)}, not an object")
        try:
            found.append(parse_issue(item))
        except (ShapeError, KeyError) as error:
            raise ShapeError(f"item {index}: {error}") from None
    return found


def parse_comment(data: JSON) -> Comment:
    return Comment(
        github_id=_int(data, "id"),
        author=login_of(_object(data, "user")),
        url=_text(data, "html_url") or "",
        created_at=required_time(data, "created_at"),
        issue_number=issue_number_from_url(_text(data, "issue_url") or ""),
    )


def parse_review(data: JSON) -> Review:
    return Review(
        github_id=_int(data, "id"),
        author=login_of(_object(data, "user")),
        state=_text(data, "state") or "",
        url=_text(data, "html_url") or "",
        submitted_at=parse_time(data.get("submitted_at"), "'submitted_at'"),
    )


def parse_repo(data: JSON, fetched_at: datetime) -> RepoRecord:
    license_obj = _object(data, "license")
    full_name = _text(data, "full_name")
    if not full_name:
        raise ShapeError("'full_name' is missing")
    return RepoRecord(
        full_name=full_name,
        exists=True,
        private=_flag(data, "private"),
        fork=_flag(data, "fork"),
        archived=_flag(data, "archived"),
        stars=_optional_int(data, "stargazers_count") or 0,
        topics=tuple(str(topic) for topic in _list(data, "topics")),
        description=_text(data, "description"),
        license_spdx=(_text(license_obj, "spdx_id") or "NOASSERTION") if license_obj is not None else None,
        has_license=license_obj is not None,
        html_url=_text(data, "html_url"),
        fetched_at=fetched_at,
        github_id=_int(data, "id"),
    )


def parse_member(data: JSON) -> OrgMember:
    """An organization member; its login is kept as GitHub spells it, valid or not (the sync
    skips, with a warning, a login it could not search for). Its `id`, when given, must be a number."""
    login = _text(data, "login")
    if not login:
        raise ShapeError("'login' is missing")
    return OrgMember(login, _text(data, "type") or "User", _optional_int(data, "id"))


# Events ---------------------------------------------------------------------------------------


def parse_event(data: JSON) -> UserEvent | None:
    """None for an event that can carry no contribution (another type, or no repo).

    `repo.name` is the repo's name when the event happened; `repo.id` names it for good."""
    repo_object = _object(data, "repo") or {}
    repo = _text(repo_object, "name") or ""
    kind = data.get("type")
    if not repo or kind not in EVENT_TYPES:
        return None
    activity = _activity(str(kind), repo, _object(data, "payload") or {})
    created_at = parse_time(data.get("created_at"), "'created_at'")
    return UserEvent(repo, created_at, activity, _optional_int(repo_object, "id"))


def _activity(kind: str, repo: str, payload: JSON) -> Activity | None:
    """What the sync needs of one event of the four kinds in EVENT_TYPES."""
    if kind == "IssuesEvent":
        issue = _object(payload, "issue") or {}
        return _issue_opened(repo, issue) if payload.get("action") == "opened" else None
    if kind == "IssueCommentEvent":
        return _comment_created(payload) if payload.get("action") == "created" else None
    if kind == "PullRequestEvent":
        number = _optional_int(payload, "number") or _optional_int(
            _object(payload, "pull_request") or {}, "number"
        )
        return IssueToFetch(number) if number else None
    return _review_submitted(payload)


def _issue_opened(repo: str, issue: JSON) -> IssueOpened | IssueToFetch | None:
    """The whole issue when the payload has it; since GitHub trimmed payloads, often only its number."""
    if issue.get("title") and issue.get("user") and issue.get("created_at"):
        return IssueOpened(parse_issue(issue, repo))
    number = _optional_int(issue, "number")
    return IssueToFetch(number) if number else None


def _review_submitted(payload: JSON) -> ReviewToFetch | None:
    number = _optional_int(_object(payload, "pull_request") or {}, "number")
    review = _object(payload, "review") or {}
    submitted_at = parse_time(review.get("submitted_at"), "'submitted_at'")
    return ReviewToFetch(number, submitted_at) if number else None


def _comment_created(payload: JSON) -> CommentCreated | CommentToFetch | None:
    issue = _object(payload, "issue") or {}
    comment = _object(payload, "comment") or {}
    number = _optional_int(issue, "number")
    if not number:
        return None
    title = _text(issue, "title")
    if title and comment.get("id") and comment.get("created_at"):
        return CommentCreated(number, title, parse_comment(comment))
    return CommentToFetch(number, parse_time(comment.get("created_at"), "'created_at'"))
