"""Storing what the sync found: contributions within the history, and the authored PRs left open."""

from __future__ import annotations

from collections.abc import Iterable

from tracker.domain import Contribution
from tracker.github.records import IssueSummary
from tracker.store import contributions, sync_state
from tracker.sync.context import SyncContext
from tracker.sync.contributions import build_issue_contributions
from tracker.sync.repos import current_name, repo_counts


def record_contributions(context: SyncContext, found: Iterable[Contribution]) -> None:
    kept = [contribution for contribution in found if contribution.occurred_at >= context.history_start]
    result = contributions.upsert_contributions(context.session, kept, now=context.clock())
    context.summary.new += result.new
    context.summary.updated += result.updated


def record_authored(context: SyncContext, issue: IssueSummary) -> None:
    """An issue or PR by someone tracked, in a repo that counts; an open PR is re-checked each sync."""
    if not context.is_tracked(issue.author) or not repo_counts(context, issue.repo):
        return
    labels_meaning_merged = context.rules.labels_meaning_merged(issue.repo)
    record_contributions(context, build_issue_contributions(issue, labels_meaning_merged))
    repo = current_name(context, issue.repo)
    if issue.is_pull_request and issue.state == "open":
        # Its updated_at makes the first re-check conditional (If-Modified-Since), so free.
        sync_state.track_open_pull_request(
            context.session, repo=repo, number=issue.number, etag=None, last_modified=issue.updated_at
        )
    elif issue.is_pull_request:
        sync_state.forget_open_pull_request(context.session, repo=repo, number=issue.number)
