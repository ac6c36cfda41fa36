"""The vocabulary shared by every layer: kinds of contribution and the records that carry them.

Contributions are named tuples, not frozen dataclasses: they are built once per stored row
on every read, and a tuple is three times cheaper to build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

# GitHub's rules for account names: 1-39 letters, digits or hyphens, not starting with a hyphen;
# apps act as `name[bot]`. Anything else is not a login: it must never reach a search query.
_GITHUB_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:\[bot\])?")
LOGIN_RULE = "a GitHub login is 1-39 letters, digits or hyphens, not starting with a hyphen"


def is_github_login(text: str) -> bool:
    return _GITHUB_LOGIN.fullmatch(text) is not None


class Kind(StrEnum):
    PR_OPENED = "pr_opened"
    PR_MERGED = "pr_merged"
    ISSUE_OPENED = "issue_opened"
    REVIEW = "review"
    COMMENT = "comment"


KIND_LABELS: dict[Kind, str] = {
    Kind.PR_MERGED: "PRs merged",
    Kind.PR_OPENED: "PRs opened",
    Kind.REVIEW: "reviews",
    Kind.ISSUE_OPENED: "issues opened",
    Kind.COMMENT: "comments",
}


class Contribution(NamedTuple):
    """One fact as GitHub reports it, before any organization rule is applied.

    `github_id` is the id of the object the kind is about: the issue id (as the
    Issues and Search APIs return it) for `pr_opened`, `pr_merged` and
    `issue_opened`, the review id for `review` and the comment id for `comment`.
    `login` is the GitHub account that did it; `subject_author` is the author of
    the pull request a review is about (needed for the own-PR rule).
    """

    kind: Kind
    github_id: int
    login: str
    repo: str
    number: int
    title: str
    url: str
    occurred_at: datetime
    subject_author: str | None = None


class CountedContribution(NamedTuple):
    """A contribution that passed every counting rule, attributed to a person."""

    kind: Kind
    github_id: int
    person: str
    team: str | None
    public: bool
    repo: str
    number: int
    title: str
    url: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class OrgMember:
    """A member of the organization as GitHub lists it; `user_type` is "User" or "Bot".

    `user_id` is GitHub's id of the account, which stays when the login is renamed.
    """

    login: str
    user_type: str = "User"
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class RepoRecord:
    """A cached repo with everything the counting and openness rules need.

    `github_id` is GitHub's id of the repo, which stays when it is renamed or transferred (None
    for one GitHub answered 404 for); `former_names` are the names it was known by before.
    """

    full_name: str
    exists: bool
    private: bool
    fork: bool
    archived: bool
    stars: int
    topics: tuple[str, ...]
    description: str | None
    license_spdx: str | None
    has_license: bool
    html_url: str | None
    fetched_at: datetime
    github_id: int | None = None
    former_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CountedGroup:
    """How many counted contributions one person made to one repo, of one kind, in one bucket."""

    bucket: int
    person: str
    team: str | None
    public: bool
    repo: str
    kind: Kind
    count: int
