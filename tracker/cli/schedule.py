"""`tracker schedule`: the sync and digest jobs on the [schedule], in the foreground."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from tracker.cli.context import App, UsageProblem, github_token

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.config import Settings

log = logging.getLogger("tracker")


@click.command()
@click.pass_obj
def schedule(app: App) -> None:
    """Run sync and digest on the [schedule] in the foreground until SIGTERM or SIGINT."""
    from jobs.runner import make_sync_job, run_schedule  # the core never imports APScheduler
    from jobs.triggers import ScheduleSpecError
    from tracker.cancel import CancelToken

    settings = app.settings()
    token = github_token()
    engine = app.engine()
    cancel = CancelToken()
    sync_job = make_sync_job(settings=settings, engine=engine, token=token, cancel=cancel)
    try:
        run_schedule(settings, sync_job=sync_job, digest_job=_digest_job(settings, engine), cancel=cancel)
    except ScheduleSpecError as error:
        raise UsageProblem(f"{settings.path}: [schedule] {error}") from None
    finally:
        engine.dispose()


def _digest_job(settings: Settings, engine: Engine) -> Callable[[], None] | None:
    """The scheduled digest, or None (with a warning) when no Slack destination is configured."""
    from tracker.digest.post import post_scheduled_digest
    from tracker.slack.targets import target_from_environment

    if (
        target_from_environment(os.environ, channel=settings.slack.channel, api_url=settings.slack.api_url)
        is None
    ):
        log.warning("no Slack destination (SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL): the digest job is off")
        return None

    def run_digest() -> None:
        outcome = post_scheduled_digest(engine, settings, environ=os.environ, now=datetime.now(UTC))
        log.info(outcome.summary(), extra={"job": "digest"})

    return run_digest
