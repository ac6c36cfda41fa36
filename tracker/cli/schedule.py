"""`tracker schedule`: the sync and digest jobs on the [schedule], in the foreground (and the bot)."""

from __future__ import annotations

import os

import click

from tracker.cli.bot import port_option, start_bot
from tracker.cli.context import App, UsageProblem, github_token


@click.command()
@click.option("--bot", "with_bot", is_flag=True, help="Also run the Slack bot (tracker bot) in this process.")
@port_option
@click.pass_obj
def schedule(app: App, with_bot: bool, port: int) -> None:
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
    # The bot answers from threads of its own; SIGTERM stops the scheduler, then the bot.
    bot = start_bot(settings, engine, port) if with_bot else None
    try:
        # A bot token for the bot alone, without a digest channel, is fine when the digest is off.
        digest_job = (
            scheduled_digest_job(engine, settings, environ=os.environ, cancel=cancel)
            if settings.schedule.digest
            else None
        )
        run_schedule(settings, sync_job=sync_job, digest_job=digest_job, cancel=cancel)
    except ScheduleSpecError as error:
        raise UsageProblem(f"{settings.path}: [schedule] {error}") from None
    finally:
        if bot is not None:
            bot.stop()
        engine.dispose()
