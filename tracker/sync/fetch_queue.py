"""The durable fetch queue: comments, reviews and issues that search and events named.

Each task is deleted in the same commit that stores what it found, so a killed sync resumes
with exactly the tasks it had not finished. The queue is read a page at a time.
"""

from __future__ import annotations

from tracker.domain import Contribution
from tracker.github.errors import NotFoundError
from tracker.github.fetch import fetch_issue, fetch_issue_comments, fetch_pull_reviews, list_repo_comments
from tracker.store import sync_state
from tracker.store.sync_state import FetchTask
from tracker.sync.context import SyncContext
from tracker.sync.contributions import build_comment_contribution, build_review_contribution
from tracker.sync.recording import record_authored, record_contributions
from tracker.sync.repos import repo_counts

COMMENTS, REVIEWS, ISSUE = "comments", "reviews", "issue"
REPO_LISTING_MIN_ISSUES = 3
TASK_PAGE = 500


def drain_fetch_queue(context: SyncContext) -> None:
    """Run the queued detail fetches, read a page at a time (the queue is not held in memory).

    Repos with several issues' comments to fetch go first, each through one listing of
    the repo's comments when that is cheaper; then every other task in queue order.
    """
    session = context.session
    context.progress.phase("comments, reviews and pull requests", sync_state.count_fetch_tasks(session))
    for repo_key in sync_state.repos_with_titled_tasks(
        session, what=COMMENTS, at_least=REPO_LISTING_MIN_ISSUES
    ):
        group = [
            task
            for task in sync_state.list_fetch_tasks(session, what=COMMENTS, repo_key=repo_key)
            if task.title is not None
        ]
        if repo_counts(context, group[0].repo):
            _comments_from_repo_listing(context, group)
    last_id = 0
    while tasks := sync_state.list_fetch_tasks(session, after_id=last_id, limit=TASK_PAGE):
        for task in tasks:
            _run_task(context, task)
            _finish_tasks(context, [task])
        last_id = tasks[-1].id


def _finish_tasks(context: SyncContext, tasks: list[FetchTask]) -> None:
    for task in tasks:
        sync_state.delete_fetch_task(context.session, task.id)
    context.commit()
    context.summary.details_fetched += len(tasks)
    context.progress.advance(len(tasks))


def _comments_from_repo_listing(context: SyncContext, group: list[FetchTask]) -> None:
    """One listing of the repo's comments instead of one request per issue, when it is cheaper.

    Sizing the listing costs one request; if it has more pages than there are issues to
    ask, the issues are asked one by one instead (their tasks stay queued).
    """
    repo = group[0].repo
    listing = list_repo_comments(context.client, repo, since=min(task.since for task in group))
    if listing.pages >= len(group):
        return
    titles = {task.number: task.title or "" for task in group}
    found = []
    for comment in listing.items:
        number = comment.issue_number
        if number is not None and number in titles and context.is_tracked(comment.author):
            contribution = build_comment_contribution(comment, repo, number, titles[number])
            if contribution is not None:
                found.append(contribution)
    record_contributions(context, found)
    _finish_tasks(context, group)


def _run_task(context: SyncContext, task: FetchTask) -> None:
    if not repo_counts(context, task.repo):
        return
    try:
        if task.what == ISSUE:
            record_authored(context, fetch_issue(context.client, task.repo, task.number))
            return
        title, author = task.title, task.subject_author
        if title is None or (task.what == REVIEWS and author is None):
            issue = fetch_issue(context.client, task.repo, task.number)
            title, author = issue.title, issue.author
        if task.what == COMMENTS:
            record_contributions(context, _comments(context, task, title))
        elif task.what == REVIEWS:
            record_contributions(context, _reviews(context, task, title, author))
    except NotFoundError:
        context.warn(f"{task.repo}#{task.number} is gone (deleted or moved); skipped")


def _comments(context: SyncContext, task: FetchTask, title: str) -> list[Contribution]:
    found = []
    for comment in fetch_issue_comments(context.client, task.repo, task.number, since=task.since):
        if context.is_tracked(comment.author):
            contribution = build_comment_contribution(comment, task.repo, task.number, title)
            if contribution is not None:
                found.append(contribution)
    return found


def _reviews(context: SyncContext, task: FetchTask, title: str, author: str | None) -> list[Contribution]:
    found = []
    for review in fetch_pull_reviews(context.client, task.repo, task.number):
        if context.is_tracked(review.author):
            contribution = build_review_contribution(review, task.repo, task.number, title, author)
            if contribution is not None and contribution.occurred_at >= task.since:
                found.append(contribution)
    return found
