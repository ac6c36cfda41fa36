"""The reviews a login's search finds, stored at once from GraphQL, or queued for REST.

REST has no listing of a person's reviews: each pull request they reviewed costs a request for
its reviews (most of a backfill's requests). GraphQL search answers 100 of those pull requests
with their reviews for a point. Both paths store the same rows: the same reviews (any tracked
person's, submitted, from `start` on), the same ids, times, titles and URLs. A pull request with
more than 100 reviews, and a login whose GraphQL search GitHub answers with errors, go through
REST, so nothing is lost; rows stored twice are the same rows (upserted by their key).
"""

from __future__ import annotations

from datetime import datetime

from tracker.domain import Contribution
from tracker.github.errors import GraphQLQueryError
from tracker.github.records import IssueSummary, ReviewedPullRequest
from tracker.github.reviewed import fetch_reviewed_pull_requests
from tracker.store import sync_state
from tracker.sync.context import SyncContext
from tracker.sync.contributions import build_review_contribution
from tracker.sync.fetch_queue import REVIEWS
from tracker.sync.recording import record_contributions
from tracker.sync.repos import current_name, repo_counts

# Pull requests stored between commits.
COMMIT_EVERY = 100


def store_reviews_by_graphql(context: SyncContext, login: str, start: datetime) -> bool:
    """Store the reviews on the pull requests `login` reviewed since `start`; False when GitHub
    answered the search with errors (the caller then takes the REST path: nothing is lost)."""
    try:
        pulls = fetch_reviewed_pull_requests(
            context.client, login, start=start, end=context.started_at, report=context.warn
        )
        for count, pull in enumerate(pulls, start=1):
            _take(context, pull, start)
            if count % COMMIT_EVERY == 0:
                context.commit()
    except GraphQLQueryError as error:
        context.session.rollback()
        context.warn(f"the reviews {login} gave could not be read through GraphQL ({error}); read by REST")
        return False
    context.commit()
    return True


def queue_reviews(context: SyncContext, issue: IssueSummary, start: datetime) -> None:
    """The REST path: the pull request's reviews are fetched later, from the durable queue."""
    if repo_counts(context, issue.repo):
        sync_state.enqueue_fetch(
            context.session,
            what=REVIEWS,
            repo=current_name(context, issue.repo),
            number=issue.number,
            since=start,
            title=issue.title,
            subject_author=issue.author,
        )


def _take(context: SyncContext, pull: ReviewedPullRequest, start: datetime) -> None:
    if not repo_counts(context, pull.repo):
        return
    if not pull.reviews_complete:
        sync_state.enqueue_fetch(
            context.session,
            what=REVIEWS,
            repo=current_name(context, pull.repo),
            number=pull.number,
            since=start,
            title=pull.title,
            subject_author=pull.author,
        )
        return
    record_contributions(context, _contributions(context, pull, start))


def _contributions(context: SyncContext, pull: ReviewedPullRequest, start: datetime) -> list[Contribution]:
    found = []
    for review in pull.reviews:
        if context.is_tracked(review.author):
            contribution = build_review_contribution(review, pull.repo, pull.number, pull.title, pull.author)
            if contribution is not None and contribution.occurred_at >= start:
                found.append(contribution)
    return found
