"""Records to contributions (tracker/sync/contributions.py), on records parsed from GitHub's shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.github_world import Comment, Issue, Review
from tracker.domain import Contribution, Kind
from tracker.github.parse import parse_comment, parse_issue, parse_review
from tracker.rules import RepoRules
from tracker.sync.contributions import (
    build_comment_contribution,
    build_issue_contributions,
    build_review_contribution,
)

NO_LABELS: frozenset[str] = frozenset()
PT = "pytorch/pytorch"
HF = "huggingface/transformers"


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


# --- issues and pull requests ---------------------------------------------------------------


def test_an_issue_is_one_issue_opened_by_its_author() -> None:
    data = Issue(HF, 7, "fay", "Crash on load", at(10, 1), at(10, 3)).to_json()

    assert build_issue_contributions(parse_issue(data), NO_LABELS) == [
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
    found = build_issue_contributions(summary, NO_LABELS)

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

    found = build_issue_contributions(
        parse_issue(data), RepoRules(merged_labels={PT: ("Merged",)}).labels_meaning_merged(PT)
    )

    assert [(c.kind, c.occurred_at) for c in found] == [(Kind.PR_OPENED, at(10, 9))]


def test_an_open_pull_request_is_only_opened() -> None:
    data = Issue(HF, 4, "gus", "WIP", at(11, 1), at(11, 1), is_pull_request=True).to_json()

    found = build_issue_contributions(parse_issue(data), NO_LABELS)

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

    found = build_issue_contributions(parse_issue(data), rules.labels_meaning_merged(PT))

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

    found = build_issue_contributions(parse_issue(data), rules.labels_meaning_merged(HF))

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

    found = build_issue_contributions(parse_issue(data), frozenset({"merged"}))

    assert [(c.kind, c.occurred_at) for c in found] == [
        (Kind.PR_OPENED, at(10, 8)),
        (Kind.PR_MERGED, at(10, 10)),
    ]


def test_an_issue_by_a_deleted_user_gives_no_contribution() -> None:
    data = Issue(HF, 9, "someone", "Orphaned", at(10, 1), at(10, 1), is_pull_request=True).to_json()
    data["user"] = None

    assert build_issue_contributions(parse_issue(data), NO_LABELS) == []


# --- reviews -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"])
def test_a_submitted_review_counts_at_submitted_at(state: str) -> None:
    data = Review(HF, 12, "fay", at(10, 6), state=state).to_json()

    found = build_review_contribution(parse_review(data), HF, 12, "Faster tokenizer", "stranger")

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
    assert build_review_contribution(parse_review(data), HF, 12, "Faster tokenizer", "stranger") is None


def test_a_pending_review_gives_none_even_with_a_timestamp() -> None:
    data = Review(HF, 12, "gus", at(10, 6), state="PENDING").to_json()

    assert build_review_contribution(parse_review(data), HF, 12, "Faster tokenizer", "stranger") is None


def test_a_review_without_submitted_at_gives_none() -> None:
    data = Review(HF, 12, "gus", None, state="APPROVED").to_json()

    assert build_review_contribution(parse_review(data), HF, 12, "Faster tokenizer", "stranger") is None


def test_a_review_by_a_deleted_user_gives_none() -> None:
    data = Review(HF, 12, "gus", at(10, 6)).to_json()
    data["user"] = None

    assert build_review_contribution(parse_review(data), HF, 12, "Faster tokenizer", "stranger") is None


# --- comments ------------------------------------------------------------------------------


def test_a_comment_takes_its_html_url_and_the_issue_title() -> None:
    data = Comment(HF, 12, "fay", at(10, 7)).to_json()

    found = build_comment_contribution(parse_comment(data), HF, 12, "Faster tokenizer")

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

    assert build_comment_contribution(parse_comment(data), HF, 12, "Faster tokenizer") is None
