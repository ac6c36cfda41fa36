"""The Slack app: one Bolt `App` whose listeners acknowledge at once and then answer through `ask`.

Bolt verifies every HTTP request (Slack's signing secret, a 5-minute window on its timestamp)
before any listener runs; in Socket Mode the connection itself is authenticated. The listeners
stay thin: the words go to `answer_question`, the same for a slash command and a mention.

Bolt hands listeners a `WebClient` (and `say`/`respond`) of its own making per request, which
would send the bot token through urllib's redirect-following opener; the listeners answer through
the tracker's `GuardedWebClient` and `GuardedWebhookClient` instead, so no credential ever
follows a redirect.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import WebClient
from sqlalchemy.engine import Engine

from tracker.bot.answers import BotAnswer, apology_answer, invocation
from tracker.bot.ask import Asker, answer_question
from tracker.bot.commands import without_leading_mention
from tracker.bot.people import EmailOf
from tracker.config import Settings
from tracker.logs import redact, secrets_from_environment
from tracker.slack.errors import SlackError
from tracker.slack.targets import require_safe_url
from tracker.slack.transport import GuardedWebhookClient
from tracker.slack.waits import Waits, post_retry_handlers

log = logging.getLogger("tracker.bot")

# Whatever name the app's slash command is installed under (/contrib, /tracker, ...).
ANY_SLASH_COMMAND = re.compile(r"^/")
RESPONSE_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class BotSetup:
    """What the listeners need: the settings, the database, Slack's Web API and a clock."""

    settings: Settings
    engine: Engine
    client: WebClient
    waits: Waits
    bot_name: str
    clock: Callable[[], datetime]


def build_app(setup: BotSetup, *, signing_secret: str, executor: Executor) -> App:
    """The one App; Bolt checks the bot token (auth.test) through `setup.client` as it is built."""
    app = App(
        client=setup.client,
        signing_secret=signing_secret,
        process_before_response=False,
        listener_executor=executor,
        # Bolt sets the level of its loggers, and of the one named after the app, on every request:
        # from this base logger (kept at WARNING by configure_logging) and never on "tracker".
        logger=logging.getLogger("slack_bolt"),
        name="tracker-bot",
    )

    @app.command(ANY_SLASH_COMMAND)
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        asker = Asker(str(command.get("user_id", "")), invocation(command.get("command")), _email_of(setup))
        answer = _answer(setup, str(command.get("text", "")), asker)
        _respond(setup.waits, str(command.get("response_url", "")), answer)

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], context: BoltContext) -> None:
        text = without_leading_mention(str(event.get("text", "")), context.bot_user_id)
        user = str(event.get("user", ""))
        answer = _answer(setup, text, Asker(user, f"@{setup.bot_name}", _email_of(setup)))
        _post_in_thread(setup.client, event, answer)

    return app


def _answer(setup: BotSetup, text: str, asker: Asker) -> BotAnswer:
    try:
        return answer_question(setup.engine, setup.settings, text, asker, setup.clock())
    except Exception as error:  # the asker hears that it failed; the operator reads why in the log
        log.error("answering failed: %s", redact(str(error), secrets_from_environment()), exc_info=True)
        return apology_answer()


def _respond(waits: Waits, response_url: str, answer: BotAnswer) -> None:
    """The answer to a slash command, visible only to the asker, through the command's response_url."""
    try:
        require_safe_url(response_url, "the command's response_url", show_url=False)
        client = GuardedWebhookClient(
            waits=waits,
            url=response_url,
            timeout=RESPONSE_TIMEOUT_SECONDS,
            retry_handlers=post_retry_handlers(waits),
        )
        response = client.send_dict({"response_type": "ephemeral", **answer.payload()})
    except (SlackError, SlackClientError, OSError) as error:
        log.error("could not answer the command: %s", error)
        return
    if response.status_code != 200:
        log.error(
            "Slack refused the answer to a command (HTTP %s: %s)", response.status_code, response.body[:100]
        )


def _post_in_thread(client: WebClient, event: dict[str, Any], answer: BotAnswer) -> None:
    """A mention is answered in its thread; a private answer only to the person who asked."""
    channel, user = str(event.get("channel", "")), str(event.get("user", ""))
    thread = str(event.get("thread_ts") or event.get("ts") or "")
    message = {**answer.payload(), "thread_ts": thread, "unfurl_links": False, "unfurl_media": False}
    try:
        if answer.private:
            client.chat_postEphemeral(channel=channel, user=user, **message)
        else:
            client.chat_postMessage(channel=channel, **message)
    except (SlackApiError, SlackError, SlackClientError, OSError) as error:
        log.error("could not answer the mention in %s: %s", channel, _slack_error(error))


def _email_of(setup: BotSetup) -> EmailOf:
    def email_of(user_id: str) -> str | None:
        try:
            user = setup.client.users_info(user=user_id).get("user") or {}
        except (SlackApiError, SlackError, SlackClientError, OSError) as error:
            log.warning(
                "cannot read the Slack profile of %s (%s): matching by email needs users:read.email",
                user_id,
                _slack_error(error),
            )
            return None
        email = (user.get("profile") or {}).get("email")
        return email if isinstance(email, str) else None

    return email_of


def _slack_error(error: Exception) -> str:
    if isinstance(error, SlackApiError) and error.response is not None:
        return str(error.response.get("error") or "unknown_error")
    return str(error) or type(error).__name__
