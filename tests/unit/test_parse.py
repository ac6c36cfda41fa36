"""github/parse.py on GitHub's real payload shapes (tests/github_world.py and recorded repo JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.github_world import Comment, Issue, Review, repository, user
from tracker.domain import Contribution, Kind, OrgMember, RepoRecord
from tracker.github.parse import (
    comment_contribution,
    issue_contributions,
    parse_issue,
    parse_members,
    parse_repo,
    repo_name_from_url,
    review_contribution,
)
from tracker.rules import RepoRules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
FETCHED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NO_LABELS: frozenset[str] = frozenset()
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


def test_an_issue_is_one_issue_opened_by_its_author() -> None:
    data = Issue(HF, 7, "fay", "Crash on load", at(10, 1), at(10, 3)).to_json()

    assert issue_contributions(parse_issue(data), NO_LABELS) == [
        Contribution(
            Kind.ISSUE_OPENED,
            data["id"],
            "fay",
            HF,
            7,
            "Crash on load",
            f"https://github.com/{HF}/issues/7",
            at(10, 1),
        )
    ]


def test_a_merged_pull_request_is_opened_at_creation_and_merged_at_merged_at() -> None:
    data = Issue(
        HF,
        12,
        "gus",
        "Faster tokenizer",
        at(10, 1),
        at(10, 5),
        is_pull_request=True,
        state="closed",
        closed_at=at(10, 5, 13),
        merged_at=at(10, 5),
    ).to_json()

    summary = parse_issue(data)
    found = issue_contributions(summary, NO_LABELS)

    assert summary.is_pull_request is True
    assert summary.merged_at == at(10, 5)
    url = f"https://github.com/{HF}/pull/12"
    assert found == [
        Contribution(Kind.PR_OPENED, data["id"], "gus", HF, 12, "Faster tokenizer", url, at(10, 1)),
        Contribution(Kind.PR_MERGED, data["id"], "gus", HF, 12, "Faster tokenizer", url, at(10, 5)),
    ]


def test_a_pull_request_closed_without_merge_is_only_opened() -> None:
    data = Issue(
        PT,
        3,
        "gus",
        "Try this",
        at(10, 9),
        at(10, 11),
        is_pull_request=True,
        state="closed",
        closed_at=at(10, 11),
    ).to_json()

    found = issue_contributions(
        parse_issue(data), RepoRules(merged_labels={PT: ("Merged",)}).labels_meaning_merged(PT)
    )

    assert [(c.kind, c.occurred_at) for c in found] == [(Kind.PR_OPENED, at(10, 9))]


def test_an_open_pull_request_is_only_opened() -> None:
    data = Issue(HF, 4, "gus", "WIP", at(11, 1), at(11, 1), is_pull_request=True).to_json()

    found = issue_contributions(parse_issue(data), NO_LABELS)

    assert [(c.kind, c.occurred_at) for c in found] == [(Kind.PR_OPENED, at(11, 1))]


@pytest.mark.parametrize("label", ["Merged", "merged", "MERGED"])
def test_a_merge_label_marks_a_closed_pull_request_merged_at_closed_at(label: str) -> None:
    rules = RepoRules(merged_labels={"PyTorch/PyTorch": ("Merged",)})
    data = Issue(
        PT,
        2,
        "gus",
        "Fuse kernels",
        at(10, 8),
        at(10, 12),
        is_pull_request=True,
        state="closed",
        closed_at=at(10, 12),
        labels=[label, "open source"],
    ).to_json()

    found = issue_contributions(parse_issue(data), rules.labels_meaning_merged(PT))

    assert [(c.kind, c.occurred_at) for c in found] == [
        (Kind.PR_OPENED, at(10, 8)),
        (Kind.PR_MERGED, at(10, 12)),
    ]


def test_a_merge_label_does_not_count_in_a_repo_without_merge_labels() -> None:
    rules = RepoRules(merged_labels={PT: ("Merged",)})
    data = Issue(
        HF,
        2,
        "gus",
        "Fuse kernels",
        at(10, 8),
        at(10, 12),
        is_pull_request=True,
        state="closed",
        closed_at=at(10, 12),
        labels=["Merged"],
    ).to_json()

    found = issue_contributions(parse_issue(data), rules.labels_meaning_merged(HF))

    assert [c.kind for c in found] == [Kind.PR_OPENED]


def test_merged_at_wins_over_a_merge_label() -> None:
    data = Issue(
        PT,
        5,
        "gus",
        "Both",
        at(10, 8),
        at(10, 12),
        is_pull_request=True,
        state="closed",
        closed_at=at(10, 12),
        merged_at=at(10, 10),
        labels=["Merged"],
    ).to_json()

    found = issue_contributions(parse_issue(data), frozenset({"merged"}))

    assert [(c.kind, c.occurred_at) for c in found] == [
        (Kind.PR_OPENED, at(10, 8)),
        (Kind.PR_MERGED, at(10, 10)),
    ]


def test_an_issue_by_a_deleted_user_gives_no_contribution() -> None:
    data = Issue(HF, 9, "someone", "Orphaned", at(10, 1), at(10, 1), is_pull_request=True).to_json()
    data["user"] = None

    summary = parse_issue(data)

    assert summary.author is None
    assert summary.author_type is None
    assert issue_contributions(summary, NO_LABELS) == []


def test_a_bot_author_keeps_its_type() -> None:
    data = Issue(HF, 9, "dependabot[bot]", "Bump", at(10, 1), at(10, 1), author_type="Bot").to_json()

    summary = parse_issue(data)

    assert (summary.author, summary.author_type) == ("dependabot[bot]", "Bot")


def test_an_explicit_repo_wins_over_repository_url() -> None:
    data = Issue(HF, 1, "fay", "Renamed", at(10, 1), at(10, 1)).to_json()

    assert parse_issue(data, repo="huggingface/new-name").repo == "huggingface/new-name"


# --- reviews -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"])
def test_a_submitted_review_counts_at_submitted_at(state: str) -> None:
    data = Review(HF, 12, "fay", at(10, 6), state=state).to_json()

    found = review_contribution(data, HF, 12, "Faster tokenizer", "stranger")

    assert found == Contribution(
        kind=Kind.REVIEW,
        github_id=data["id"],
        login="fay",
        repo=HF,
        number=12,
        title="Faster tokenizer",
        url=f"https://github.com/{HF}/pull/12#pullrequestreview-{data['id']}",
        occurred_at=at(10, 6),
        subject_author="stranger",
    )


def test_a_pending_review_gives_none() -> None:
    data = Review(HF, 12, "gus", None, state="PENDING").to_json()

    assert "submitted_at" not in data
    assert review_contribution(data, HF, 12, "Faster tokenizer", "stranger") is None


def test_a_pending_review_gives_none_even_with_a_timestamp() -> None:
    data = Review(HF, 12, "gus", at(10, 6), state="PENDING").to_json()

    assert review_contribution(data, HF, 12, "Faster tokenizer", "stranger") is None


def test_a_review_without_submitted_at_gives_none() -> None:
    data = Review(HF, 12, "gus", None, state="APPROVED").to_json()

    assert review_contribution(data, HF, 12, "Faster tokenizer", "stranger") is None


def test_a_review_by_a_deleted_user_gives_none() -> None:
    data = Review(HF, 12, "gus", at(10, 6)).to_json()
    data["user"] = None

    assert review_contribution(data, HF, 12, "Faster tokenizer", "stranger") is None


# --- comments ------------------------------------------------------------------------------


def test_a_comment_takes_its_html_url_and_the_issue_title() -> None:
    data = Comment(HF, 12, "fay", at(10, 7)).to_json()

    found = comment_contribution(data, HF, 12, "Faster tokenizer")

    assert found == Contribution(
        kind=Kind.COMMENT,
        github_id=data["id"],
        login="fay",
        repo=HF,
        number=12,
        title="Faster tokenizer",
        url=f"https://github.com/{HF}/issues/12#issuecomment-{data['id']}",
        occurred_at=at(10, 7),
    )


def test_a_comment_by_a_deleted_user_gives_none() -> None:
    data = Comment(HF, 12, "fay", at(10, 7)).to_json()
    data["user"] = None

    assert comment_contribution(data, HF, 12, "Faster tokenizer") is None


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


def test_parse_members_across_pages_keeps_type_and_skips_entries_without_login() -> None:
    pages = [
        [user("fay"), user("acme-bot", user_type="Bot")],
        [user("gus"), {"login": None, "type": "User"}],
    ]

    assert parse_members(pages) == [
        OrgMember("fay", "User"),
        OrgMember("acme-bot", "Bot"),
        OrgMember("gus", "User"),
    ]


def test_parse_members_of_no_pages_is_empty() -> None:
    assert parse_members([]) == []
