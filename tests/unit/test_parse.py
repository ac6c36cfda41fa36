"""github/parse.py on GitHub's real payload shapes (tests/github_world.py and recorded repo JSON)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.github_world import API, Comment, Issue, Review, event, repository, trimmed_pull_request, user
from tracker.domain import OrgMember, RepoRecord
from tracker.github.parse import (
    ShapeError,
    parse_comment,
    parse_event,
    parse_issue,
    parse_member,
    parse_repo,
    parse_review,
    repo_name_from_url,
)
from tracker.github.records import Comment as CommentRecord
from tracker.github.records import (
    CommentCreated,
    CommentToFetch,
    IssueOpened,
    IssueSummary,
    IssueToFetch,
    ReviewToFetch,
    UserEvent,
)
from tracker.github.records import Review as ReviewRecord

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
FETCHED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PT = "pytorch/pytorch"
HF = "huggingface/transformers"


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def load_repo(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"repo_{name}.json").read_text(encoding="utf-8"))
    return data


# --- issues and pull requests ---------------------------------------------------------------


def test_issue_payload_parses_every_field() -> None:
    data = Issue(
        HF, 7, "fay", "Crash on load", at(10, 1), at(10, 3), labels=["bug", "good first issue"]
    ).to_json()

    summary = parse_issue(data)

    assert summary.github_id == data["id"]
    assert summary.repo == HF
    assert summary.number == 7
    assert summary.title == "Crash on load"
    assert summary.url == f"https://github.com/{HF}/issues/7"
    assert summary.author == "fay"
    assert summary.author_type == "User"
    assert summary.is_pull_request is False
    assert summary.state == "open"
    assert summary.created_at == at(10, 1)
    assert summary.updated_at == at(10, 3)
    assert summary.closed_at is None
    assert summary.merged_at is None
    assert summary.labels == ("bug", "good first issue")


def test_a_pull_request_parses_its_merge_and_state() -> None:
    data = Issue(
        PT,
        2,
        "gus",
        "Fuse kernels",
        at(10, 8),
        at(10, 12),
        is_pull_request=True,
        state="closed",
        closed_at=at(10, 12, 13),
        merged_at=at(10, 12),
        labels=["Merged"],
    ).to_json()

    assert parse_issue(data) == IssueSummary(
        github_id=data["id"],
        repo=PT,
        number=2,
        title="Fuse kernels",
        url=f"https://github.com/{PT}/pull/2",
        author="gus",
        author_type="User",
        is_pull_request=True,
        state="closed",
        created_at=at(10, 8),
        updated_at=at(10, 12),
        closed_at=at(10, 12, 13),
        merged_at=at(10, 12),
        labels=("Merged",),
    )


def test_an_issue_by_a_deleted_user_has_no_author() -> None:
    data = Issue(HF, 9, "someone", "Orphaned", at(10, 1), at(10, 1), is_pull_request=True).to_json()
    data["user"] = None

    summary = parse_issue(data)

    assert summary.author is None
    assert summary.author_type is None


def test_an_issue_by_the_ghost_of_a_deleted_account_keeps_the_ghost_login() -> None:
    data = Issue(HF, 9, "ghost", "Orphaned", at(10, 1), at(10, 1)).to_json()

    assert parse_issue(data).author == "ghost"


def test_an_issue_with_null_and_missing_optional_fields_parses_to_empty_values() -> None:
    data = Issue(HF, 9, "fay", "x", at(10, 1), at(10, 1)).to_json()
    for key in ("title", "html_url", "state", "labels"):
        data[key] = None
    del data["updated_at"], data["closed_at"]

    summary = parse_issue(data)

    assert (summary.title, summary.url, summary.state, summary.labels) == ("", "", "open", ())
    assert (summary.updated_at, summary.closed_at) == (at(10, 1), None)


def test_a_bot_author_keeps_its_type() -> None:
    data = Issue(HF, 9, "dependabot[bot]", "Bump", at(10, 1), at(10, 1), author_type="Bot").to_json()

    summary = parse_issue(data)

    assert (summary.author, summary.author_type) == ("dependabot[bot]", "Bot")


def test_an_explicit_repo_wins_over_repository_url() -> None:
    data = Issue(HF, 1, "fay", "Renamed", at(10, 1), at(10, 1)).to_json()

    assert parse_issue(data, repo="huggingface/new-name").repo == "huggingface/new-name"


# --- reviews and comments ------------------------------------------------------------------


def test_a_review_parses_every_field() -> None:
    data = Review(HF, 12, "fay", at(10, 6), state="CHANGES_REQUESTED").to_json()

    assert parse_review(data) == ReviewRecord(
        github_id=data["id"],
        author="fay",
        state="CHANGES_REQUESTED",
        url=f"https://github.com/{HF}/pull/12#pullrequestreview-{data['id']}",
        submitted_at=at(10, 6),
    )


def test_a_pending_review_has_no_submitted_at() -> None:
    data = Review(HF, 12, "gus", None, state="PENDING").to_json()

    assert "submitted_at" not in data
    assert (parse_review(data).state, parse_review(data).submitted_at) == ("PENDING", None)


def test_a_review_by_a_deleted_user_has_no_author() -> None:
    data = Review(HF, 12, "gus", at(10, 6)).to_json()
    data["user"] = None

    assert parse_review(data).author is None


def test_a_comment_parses_every_field_and_its_issue_number() -> None:
    data = Comment(HF, 12, "fay", at(10, 7)).to_json()

    assert parse_comment(data) == CommentRecord(
        github_id=data["id"],
        author="fay",
        url=f"https://github.com/{HF}/issues/12#issuecomment-{data['id']}",
        created_at=at(10, 7),
        issue_number=12,
    )


def test_a_comment_by_a_deleted_user_has_no_author() -> None:
    data = Comment(HF, 12, "fay", at(10, 7)).to_json()
    data["user"] = None

    assert parse_comment(data).author is None


def test_a_comment_without_issue_url_has_no_issue_number() -> None:
    data = Comment(HF, 12, "fay", at(10, 7)).to_json()
    del data["issue_url"]

    assert parse_comment(data).issue_number is None


# --- repos ---------------------------------------------------------------------------------


def test_repo_without_a_license_file() -> None:
    data = load_repo("unlicensed")

    assert data["license"] is None
    assert parse_repo(data, FETCHED_AT) == RepoRecord(
        full_name="acme-ai/acme-agent",
        exists=True,
        private=False,
        fork=False,
        archived=False,
        stars=342,
        topics=("agents", "llm", "opensource"),
        description="Tool-using agent framework built on Acme-LM",
        license_spdx=None,
        has_license=False,
        html_url="https://github.com/acme-ai/acme-agent",
        fetched_at=FETCHED_AT,
        github_id=data["id"],
    )


def test_repo_with_a_license_github_cannot_identify() -> None:
    record = parse_repo(load_repo("llama3"), FETCHED_AT)

    assert (record.full_name, record.license_spdx, record.has_license) == (
        "meta-llama/llama3",
        "NOASSERTION",
        True,
    )
    assert record.topics == ()
    assert record.stars == 28880


def test_repo_with_an_spdx_license() -> None:
    data = repository("acme-ai/tiny-llm", license_spdx="MIT", topics=["llm"], stars=12, archived=True)

    record = parse_repo(data, FETCHED_AT)

    assert (record.license_spdx, record.has_license) == ("MIT", True)
    assert (record.archived, record.fork, record.private) == (True, False, False)
    assert (record.stars, record.topics) == (12, ("llm",))


def test_repo_license_object_without_spdx_id_is_noassertion() -> None:
    data = repository("acme-ai/odd", license_spdx="MIT")
    data["license"]["spdx_id"] = None

    assert parse_repo(data, FETCHED_AT).license_spdx == "NOASSERTION"


def test_recorded_transformers_repo() -> None:
    record = parse_repo(load_repo("transformers"), FETCHED_AT)

    assert record.full_name == "huggingface/transformers"
    assert record.license_spdx == "Apache-2.0"
    assert "llm" in record.topics
    assert record.html_url == "https://github.com/huggingface/transformers"


# --- names and members ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.github.com/repos/o/n", "o/n"),
        ("https://api.github.com/repos/huggingface/transformers/issues/12", "huggingface/transformers"),
        ("https://ghe.example.com/api/v3/repos/o/n", "o/n"),
        ("https://ghe.example.com/api/v3/repos/ml-team/llm.cpp/pulls/3", "ml-team/llm.cpp"),
    ],
)
def test_repo_name_from_url(url: str, expected: str) -> None:
    assert repo_name_from_url(url) == expected


def test_parse_issue_reads_the_repo_from_a_ghes_repository_url() -> None:
    data = Issue("ml-team/llm", 1, "fay", "On prem", at(10, 1), at(10, 1)).to_json()
    data["repository_url"] = "https://ghe.example.com/api/v3/repos/ml-team/llm"

    assert parse_issue(data).repo == "ml-team/llm"


def test_a_member_keeps_its_login_type_and_id() -> None:
    assert parse_member(user("fay")) == OrgMember("fay", "User", user("fay")["id"])
    assert parse_member(user("acme-bot", user_type="Bot")) == OrgMember(
        "acme-bot", "Bot", user("acme-bot")["id"]
    )


def test_a_member_without_an_id_parses_with_none() -> None:
    assert parse_member({"login": "gus", "type": "User"}) == OrgMember("gus", "User", None)
    assert parse_member({"login": "gus", "id": None}) == OrgMember("gus", "User", None)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"login": None, "type": "User"}, "'login' is missing"),
        ({"type": "User"}, "'login' is missing"),
        ({"login": 42}, "'login' is a number, not a string"),
        ({"login": "fay", "type": ["User"]}, "'type' is a list, not a string"),
        ({"login": "fay", "id": "12"}, "'id' is a string, not an integer"),
        ({"login": "gus", "id": True}, "'id' is a boolean, not an integer"),
    ],
)
def test_a_member_without_a_login_or_with_a_wrong_type_is_a_wrong_shape_not_a_member_to_skip(
    entry: dict[str, Any], problem: str
) -> None:
    """An entry without a login used to be skipped: a page of them read as no members at all."""
    with pytest.raises(ShapeError, match=f"^{re.escape(problem)}$"):
        parse_member(entry)


# --- events --------------------------------------------------------------------------------


EVENT_AT = at(11, 2)


HF_REPO = repository(HF)
HF_ID = HF_REPO["id"]


def feed_event(kind: str, payload: dict[str, Any], repo: str = HF) -> dict[str, Any]:
    return event(kind, "fay", HF_REPO if repo == HF else repository(repo), payload, EVENT_AT)


def test_an_issue_opened_event_with_the_whole_issue_carries_it() -> None:
    issue = Issue(HF, 7, "fay", "Crash on load", at(11, 2), at(11, 2)).to_json()

    parsed = parse_event(feed_event("IssuesEvent", {"action": "opened", "issue": issue}))

    assert parsed == UserEvent(HF, EVENT_AT, IssueOpened(parse_issue(issue, HF)), HF_ID)


def test_a_trimmed_issue_opened_event_names_the_issue_to_fetch() -> None:
    payload = {"action": "opened", "issue": {"number": 7, "url": f"{API}/repos/{HF}/issues/7"}}

    assert parse_event(feed_event("IssuesEvent", payload)) == UserEvent(HF, EVENT_AT, IssueToFetch(7), HF_ID)


def test_a_comment_created_event_with_its_comment_carries_it_and_the_title() -> None:
    issue = Issue(HF, 7, "stranger", "Question", at(11, 1), at(11, 2)).to_json()
    comment = Comment(HF, 7, "fay", at(11, 2)).to_json()

    parsed = parse_event(
        feed_event("IssueCommentEvent", {"action": "created", "issue": issue, "comment": comment})
    )

    assert parsed == UserEvent(HF, EVENT_AT, CommentCreated(7, "Question", parse_comment(comment)), HF_ID)


def test_a_trimmed_comment_created_event_names_the_issue_and_when() -> None:
    payload = {"action": "created", "issue": {"number": 7}, "comment": {"created_at": "2026-11-02T12:00:00Z"}}

    parsed = parse_event(feed_event("IssueCommentEvent", payload))

    assert parsed == UserEvent(HF, EVENT_AT, CommentToFetch(7, at(11, 2)), HF_ID)


def test_a_pull_request_event_names_the_pull_request_to_fetch() -> None:
    repo = repository(HF)
    payload = {"action": "closed", "number": 12, "pull_request": trimmed_pull_request(repo, 12)}
    without_number = {"action": "opened", "pull_request": trimmed_pull_request(repo, 13)}

    numbered = parse_event(feed_event("PullRequestEvent", payload))
    numbered_in_its_pull_request = parse_event(feed_event("PullRequestEvent", without_number))

    assert numbered == UserEvent(HF, EVENT_AT, IssueToFetch(12), HF_ID)
    assert numbered_in_its_pull_request == UserEvent(HF, EVENT_AT, IssueToFetch(13), HF_ID)


def test_a_review_event_names_the_pull_request_and_when_the_review_was_submitted() -> None:
    review = Review(HF, 12, "fay", at(11, 2)).to_json() | {"state": "approved"}
    pull_request = trimmed_pull_request(repository(HF), 12)
    payload = {"action": "created", "review": review, "pull_request": pull_request}

    parsed = parse_event(feed_event("PullRequestReviewEvent", payload))

    assert parsed == UserEvent(HF, EVENT_AT, ReviewToFetch(12, at(11, 2)), HF_ID)


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("IssuesEvent", {"action": "closed", "issue": {"number": 7}}),
        ("IssuesEvent", {"action": "opened"}),
        ("IssueCommentEvent", {"action": "edited", "issue": {"number": 7}, "comment": {}}),
        ("IssueCommentEvent", {"action": "created", "issue": {}, "comment": {}}),
        ("PullRequestEvent", {"action": "opened"}),
        ("PullRequestReviewEvent", {"action": "created", "review": {}}),
    ],
)
def test_an_event_of_a_followed_kind_that_names_nothing_keeps_only_its_repo(
    kind: str, payload: dict[str, Any]
) -> None:
    assert parse_event(feed_event(kind, payload)) == UserEvent(HF, EVENT_AT, None, HF_ID)


def test_events_of_other_kinds_or_without_a_repo_are_dropped() -> None:
    issue_opened = feed_event("IssuesEvent", {"action": "opened", "issue": {"number": 7}})

    assert parse_event(feed_event("PushEvent", {"ref": "refs/heads/main"})) is None
    assert parse_event(feed_event("WatchEvent", {"action": "started"})) is None
    assert parse_event(issue_opened | {"repo": None}) is None
