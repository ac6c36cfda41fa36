"""Open PRs re-checked each sync: a member's PR merged by someone else leaves no event in the
member's feed. Each is asked conditionally, so an unchanged one costs nothing. The PR of
someone who left is re-checked up to the end of their membership, then forgotten: its merge
can no longer count."""

from __future__ import annotations

from tracker.github.fetch import fetch_issue_if_changed
from tracker.github.records import IssueFetched, Missing, NotModified
from tracker.store import sync_state
from tracker.store.sync_state import OpenPullRequest
from tracker.sync.context import SyncContext
from tracker.sync.recording import record_authored
from tracker.sync.repos import current_name


def recheck_open_pull_requests(context: SyncContext) -> None:
    open_prs = []
    for pr in sync_state.list_open_pull_requests(context.session):
        if pr.author is None or context.still_followed(pr.author):
            open_prs.append(pr)
        else:
            sync_state.forget_open_pull_request(context.session, repo=pr.repo, number=pr.number)
    context.commit()
    context.progress.phase("open pull requests", len(open_prs))
    for pr in open_prs:
        _recheck(context, pr)
        context.commit()
        context.progress.advance()


def _recheck(context: SyncContext, pr: OpenPullRequest) -> None:
    """With its ETag, or else the `updated_at` search showed: a 304 means nothing changed."""
    session = context.session
    match fetch_issue_if_changed(
        context.client, pr.repo, pr.number, etag=pr.etag, modified_since=pr.last_modified
    ):
        case Missing():
            sync_state.forget_open_pull_request(session, repo=pr.repo, number=pr.number)
        case NotModified(etag=etag):
            if etag and etag != pr.etag:
                # The 304 of an If-Modified-Since still names the ETag: later checks use it.
                sync_state.track_open_pull_request(session, repo=pr.repo, number=pr.number, etag=etag)
        case IssueFetched(issue=issue, etag=etag, last_modified=last_modified):
            record_authored(context, issue)
            repo = current_name(context, pr.repo)
            if repo.lower() != pr.repo.lower():  # followed from now on under the repo's new name
                sync_state.forget_open_pull_request(session, repo=pr.repo, number=pr.number)
            if issue.state == "open":
                sync_state.track_open_pull_request(
                    session,
                    repo=repo,
                    number=pr.number,
                    etag=etag,
                    last_modified=last_modified or issue.updated_at,
                )
            else:
                sync_state.forget_open_pull_request(session, repo=repo, number=pr.number)
