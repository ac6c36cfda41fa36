"""Post a prepared message to Slack, by bot token (chat.postMessage) or incoming webhook.

Secrets come from the environment only and never appear in an error: a `SlackError` says
what Slack answered (its error code, the HTTP status) and what to do about it.
Rate limits (429, honouring Retry-After up to a cap), 5xx answers and dropped connections are
retried by the handlers of `waits.py` inside slack-sdk's retry loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler, RetryIntervalCalculator

from tracker.slack.errors import SlackError
from tracker.slack.targets import BOT_TOKEN_ENV, WEBHOOK_URL_ENV, BotTarget, SlackTarget, WebhookTarget
from tracker.slack.transport import TIMEOUT_SECONDS, GuardedWebClient, GuardedWebhookClient
from tracker.slack.waits import RETRIES, Waits, read_retry_handlers

HINTS: dict[str, str] = {
    "not_in_channel": "invite the bot to the channel first (/invite @your-app)",
    "channel_not_found": "check [slack] channel; a channel ID such as C0123456789 is safest",
    "is_archived": "the channel is archived; set another [slack] channel",
    "invalid_auth": f"check {BOT_TOKEN_ENV}",
    "not_authed": f"check {BOT_TOKEN_ENV}",
    "token_revoked": f"{BOT_TOKEN_ENV} was revoked; reinstall the app and set the new token",
    "missing_scope": "the app needs the chat:write scope",
    "ratelimited": "Slack kept rate-limiting after the retries; run again later",
    "invalid_blocks": "Slack rejected the layout; please report it with the --dry-run --format json output",
    "no_service": f"the webhook was removed; create a new one and set {WEBHOOK_URL_ENV}",
    "invalid_token": f"the webhook is no longer valid; create a new one and set {WEBHOOK_URL_ENV}",
    "channel_is_archived": "the webhook's channel is archived; create a webhook for another channel",
}


@dataclass(frozen=True, slots=True)
class PostReceipt:
    destination: str
    ts: str | None


def post_message(
    target: SlackTarget,
    payload: Mapping[str, Any],
    *,
    waits: Waits | None = None,
    retries: int = RETRIES,
    retry_interval: RetryIntervalCalculator | None = None,
) -> PostReceipt:
    """Post the message body (text, blocks, ...) and return where it went and its ts."""
    waits = waits or Waits()
    handlers = read_retry_handlers(waits, retries, retry_interval)
    if isinstance(target, BotTarget):
        return _post_with_token(target, payload, waits, handlers)
    return _post_to_webhook(target, payload, waits, handlers)


def _post_with_token(
    target: BotTarget, payload: Mapping[str, Any], waits: Waits, handlers: list[RetryHandler]
) -> PostReceipt:
    client = GuardedWebClient(
        waits=waits,
        token=target.token,
        base_url=target.api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )
    try:
        response = client.chat_postMessage(channel=target.channel, **payload)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        raise _refused("chat.postMessage", code, error.response.status_code) from None
    except (SlackClientError, OSError) as error:
        raise _unreachable(target.api_url, error) from None
    ts = response.get("ts")
    return PostReceipt(target.destination, str(ts) if ts is not None else None)


def _post_to_webhook(
    target: WebhookTarget, payload: Mapping[str, Any], waits: Waits, handlers: list[RetryHandler]
) -> PostReceipt:
    client = GuardedWebhookClient(
        waits=waits, url=target.url, timeout=TIMEOUT_SECONDS, retry_handlers=handlers
    )
    try:
        response = client.send_dict(dict(payload))
    except (SlackClientError, OSError) as error:
        raise _unreachable(target.url, error) from None
    if response.status_code == 200 and response.body.strip() == "ok":
        return PostReceipt(target.destination, None)
    code = _first_line(response.body) or "no answer"
    raise _refused("the webhook", code, response.status_code)


def _refused(where: str, code: str, status: int) -> SlackError:
    hint = HINTS.get(code)
    message = f"Slack refused the message ({where}: {code}, HTTP {status})"
    return SlackError(f"{message}: {hint}" if hint else message, error=code, status=status)


def _unreachable(url: str, error: Exception) -> SlackError:
    """Names the host only: a webhook URL's path is its secret."""
    host = urlsplit(url).hostname or "Slack"
    reason = getattr(error, "reason", None) or type(error).__name__
    return SlackError(f"cannot reach Slack at {host}: {reason}")


def _first_line(body: str) -> str:
    line = body.strip().splitlines()[0] if body.strip() else ""
    return line[:100]
