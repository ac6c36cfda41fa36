"""`tracker sync`: fetch new contributions from GitHub, with a progress bar on a terminal."""

from __future__ import annotations

import logging
from datetime import datetime

import click

from tracker.cli.context import App, github_token
from tracker.cli.options import DATE, past_utc_day

log = logging.getLogger("tracker")


@click.command()
@click.option(
    "--since",
    type=DATE,
    callback=past_utc_day,
    help="Fetch (again) everyone's history from this UTC date (YYYY-MM-DD).",
)
@click.option(
    "--accept-membership-change",
    is_flag=True,
    help="Apply this sync's member listing even when it lacks most of the members listed before.",
)
@click.pass_obj
def sync(app: App, since: datetime | None, accept_membership_change: bool) -> None:
    """Fetch new contributions from GitHub into the database."""
    from tracker.cancel import CancelToken, stop_on_signals
    from tracker.cli.progress import ConsoleProgress
    from tracker.sync.run import sync_with_github

    settings = app.settings()
    token = github_token()
    engine = app.engine()
    cancel = CancelToken()
    with stop_on_signals(cancel), ConsoleProgress() as progress:
        try:
            summary = sync_with_github(
                settings=settings,
                engine=engine,
                token=token,
                progress=progress,
                since=since.date() if since else None,
                accept_membership_change=accept_membership_change,
                cancel=cancel,
            )
        finally:
            engine.dispose()
    if summary is not None:
        log.info(summary.line(), extra={"job": "sync", **summary.figures()})
