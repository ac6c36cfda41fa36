"""GitHub JSON (in its documented shapes) to plain records. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.domain import Contribution, Kind, OrgMember, RepoRecord
from tracker.rules import pull_request_merge

JSON = Mapping[str, Any]
SUBMITTED_REVIEW_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"})


@dataclass(frozen=True, slots=True)
class IssueSummary:
    """What the issue/PR listing, search and single-issue endpoints all say about one issue."""

    github_id: int
    repo: str
    number: int
    title: str
    url: str
    author: str | None
    author_type: str | None
    is_pull_request: bool
    state: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    labels: tuple[str, ...]


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


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


def issue_contributions(issue: IssueSummary, labels_meaning_merged: frozenset[str]) -> list[Contribution]:
    """pr_opened and pr_merged for a PR, issue_opened for an issue, all by the issue's author."""
    if issue.author is None:
        return []

    def make(kind: Kind, at: datetime) -> Contribution:
        return Contribution(
            kind, issue.github_id, issue.author or "", issue.repo, issue.number, issue.title, issue.url, at
        )

    if not issue.is_pull_request:
        return [make(Kind.ISSUE_OPENED, issue.created_at)]
    found = [make(Kind.PR_OPENED, issue.created_at)]
    landed = pull_request_merge(
        merged_at=issue.merged_at,
        closed_at=issue.closed_at,
        labels=issue.labels,
        labels_meaning_merged=labels_meaning_merged,
    )
    if landed is not None:
        found.append(make(Kind.PR_MERGED, landed))
    return found


def comment_contribution(
    comment: JSON, issue_repo: str, issue_number: int, issue_title: str
) -> Contribution | None:
    login = login_of(comment.get("user"))
    if login is None:
        return None
    return Contribution(
        kind=Kind.COMMENT,
        github_id=int(comment["id"]),
        login=login,
        repo=issue_repo,
        number=issue_number,
        title=issue_title,
        url=str(comment.get("html_url") or ""),
        occurred_at=required_time(comment.get("created_at")),
    )


def review_contribution(
    review: JSON, repo: str, number: int, title: str, pull_request_author: str | None
) -> Contribution | None:
    """A submitted review; pending (unsubmitted) reviews have no submitted_at and do not count."""
    login = login_of(review.get("user"))
    state = str(review.get("state") or "").upper()
    submitted_at = parse_time(review.get("submitted_at"))
    if login is None or submitted_at is None or state not in SUBMITTED_REVIEW_STATES:
        return None
    return Contribution(
        kind=Kind.REVIEW,
        github_id=int(review["id"]),
        login=login,
        repo=repo,
        number=number,
        title=title,
        url=str(review.get("html_url") or ""),
        occurred_at=submitted_at,
        subject_author=pull_request_author,
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


def missing_repo(full_name: str, fetched_at: datetime) -> RepoRecord:
    return RepoRecord(full_name, False, False, False, False, 0, (), None, None, False, None, fetched_at)


def parse_members(pages: Iterable[Iterable[JSON]]) -> list[OrgMember]:
    return [
        OrgMember(str(user["login"]), str(user.get("type") or "User"))
        for page in pages
        for user in page
        if user.get("login")
    ]
