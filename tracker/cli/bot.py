"""`tracker bot`: the Slack app, answering until SIGTERM or SIGINT."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from tracker.bot.credentials import DEFAULT_PORT  # light: no Bolt, no slack-sdk
from tracker.cli.context import App, UsageProblem

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.bot.serve import RunningBot
    from tracker.config import Settings

port_option = click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="HTTP port of /slack/events (unused in Socket Mode, i.e. when SLACK_APP_TOKEN is set).",
)


@click.command()
@port_option
@click.pass_obj
def bot(app: App, port: int) -> None:
    """Answer questions in Slack (/contrib and mentions) until SIGTERM or SIGINT."""
    from tracker.bot.serve import serve_until_stopped
    from tracker.cancel import CancelToken

    settings = app.settings()
    engine = app.engine()
    try:
        serve_until_stopped(start_bot(settings, engine, port), CancelToken())
    finally:
        engine.dispose()


def start_bot(settings: Settings, engine: Engine, port: int) -> RunningBot:
    """The bot started from the environment's secrets: exit 2 naming a missing one, 1 if Slack refuses."""
    from tracker.bot.credentials import bot_credentials
    from tracker.bot.serve import start_bot as start

    credentials = bot_credentials(os.environ, api_url=settings.slack.api_url)
    try:
        return start(settings, engine, credentials, port=port)
    except OSError as error:
        raise UsageProblem(f"the bot cannot listen on port {port}: {error.strerror or error}") from None
