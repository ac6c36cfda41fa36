"""GitHub's records to contributions: the one place the sync applies counting rules to what it reads.

Pure. A contribution flows one way: fetched and parsed in `github/`, built here, stored by the sync.
"""

from __future__ import annotations

from datetime import datetime

from tracker.domain import Contribution, Kind
from tracker.github.records import Comment, IssueSummary, Review
from tracker.rules import pull_request_merge

SUBMITTED_REVIEW_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"})


def build_issue_contributions(
    issue: IssueSummary, labels_meaning_merged: frozenset[str]
) -> list[Contribution]:
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


def build_comment_contribution(
    comment: Comment, repo: str, number: int, issue_title: str
) -> Contribution | None:
    """None for a comment by a deleted account."""
    if comment.author is None:
        return None
    return Contribution(
        kind=Kind.COMMENT,
        github_id=comment.github_id,
        login=comment.author,
        repo=repo,
        number=number,
        title=issue_title,
        url=comment.url,
        occurred_at=comment.created_at,
    )


def build_review_contribution(
    review: Review, repo: str, number: int, title: str, pull_request_author: str | None
) -> Contribution | None:
    """A submitted review; pending (unsubmitted) reviews have no submitted_at and do not count."""
    submitted_at = review.submitted_at
    if review.author is None or submitted_at is None or review.state.upper() not in SUBMITTED_REVIEW_STATES:
        return None
    return Contribution(
        kind=Kind.REVIEW,
        github_id=review.github_id,
        login=review.author,
        repo=repo,
        number=number,
        title=title,
        url=review.url,
        occurred_at=submitted_at,
        subject_author=pull_request_author,
    )
