"""`tracker schedule`: the sync and digest jobs on the [schedule], in the foreground."""

from __future__ import annotations

import os

import click

from tracker.cli.context import App, UsageProblem, github_token


@click.command()
@click.pass_obj
def schedule(app: App) -> None:
    """Run sync and digest on the [schedule] in the foreground until SIGTERM or SIGINT."""
    from jobs.runner import make_sync_job, run_schedule  # the core never imports APScheduler
    from jobs.triggers import ScheduleSpecError
    from tracker.cancel import CancelToken
    from tracker.digest.post import scheduled_digest_job

    settings = app.settings()
    token = github_token()
    engine = app.engine()
    cancel = CancelToken()
    sync_job = make_sync_job(settings=settings, engine=engine, token=token, cancel=cancel)
    try:
        digest_job = scheduled_digest_job(engine, settings, environ=os.environ, cancel=cancel)
        run_schedule(settings, sync_job=sync_job, digest_job=digest_job, cancel=cancel)
    except ScheduleSpecError as error:
        raise UsageProblem(f"{settings.path}: [schedule] {error}") from None
    finally:
        engine.dispose()
