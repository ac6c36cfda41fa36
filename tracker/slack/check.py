"""Checks a Slack destination without posting anything (for `tracker doctor`)."""

from __future__ import annotations

from http.client import HTTPException
from urllib.parse import urlparse

from slack_sdk.errors import SlackApiError

from tracker.slack.errors import SlackError
from tracker.slack.targets import BotTarget, SlackTarget, WebhookTarget
from tracker.slack.transport import GuardedWebClient
from tracker.slack.waits import Waits, read_retry_handlers

WEBHOOK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")


def verify_target(target: SlackTarget, waits: Waits | None = None) -> str:
    """A one-line description of the destination, or SlackError saying what is wrong."""
    if isinstance(target, WebhookTarget):
        return _verify_webhook(target)
    return _verify_bot(target, waits or Waits())


def _verify_webhook(target: WebhookTarget) -> str:
    parsed = urlparse(target.url)
    if (
        parsed.scheme != "https"
        or parsed.hostname not in WEBHOOK_HOSTS
        or not parsed.path.startswith("/services/")
    ):
        raise SlackError(
            "SLACK_WEBHOOK_URL does not look like a Slack incoming webhook (https://hooks.slack.com/services/...)"
        )
    return "incoming webhook (cannot be checked without posting)"


def _verify_bot(target: BotTarget, waits: Waits) -> str:
    client = GuardedWebClient(
        waits=waits,
        token=target.token,
        base_url=target.api_url,
        timeout=15,
        retry_handlers=read_retry_handlers(waits),
    )
    try:
        identity = client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        # slack-sdk turns a body that is not JSON (a proxy's page) into a long "error"; not shown.
        shown = code if isinstance(code, str) and len(code) < 60 else "an answer that is not Slack's"
        raise SlackError(f"Slack rejected SLACK_BOT_TOKEN ({shown})", error=shown) from None
    except (OSError, ValueError, HTTPException) as error:
        raise SlackError(f"cannot reach the Slack API: {type(error).__name__}") from None
    return (
        f"bot {identity.get('user', '?')} in workspace {identity.get('team', '?')}, channel {target.channel}"
    )
