"""Post a prepared message to Slack, by bot token (chat.postMessage) or incoming webhook.

Secrets never appear in an error: a `SlackError` says what Slack answered (its error code, the
HTTP status) and what to do about it. A post is not idempotent, so it is retried only when Slack
says it did not process it (429, `ratelimited`) or the connection was refused. When the message
was sent but no clear answer came back (a 5xx, a timeout, a connection dropped after sending, a
page that is not Slack's), the post raises `SlackOutcomeUnknown`: it may be in the channel.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler, RetryIntervalCalculator
from slack_sdk.web import SlackResponse

from tracker.cancel import Cancelled
from tracker.slack.errors import SlackError, SlackOutcomeUnknown
from tracker.slack.targets import BOT_TOKEN_ENV, WEBHOOK_URL_ENV, BotTarget, SlackTarget, WebhookTarget
from tracker.slack.transport import TIMEOUT_SECONDS, GuardedWebClient, GuardedWebhookClient, Unanswered
from tracker.slack.waits import RETRIES, Waits, post_retry_handlers, was_not_sent

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
# Slack's errors after which, in its words, "some aspect of the operation" may have succeeded.
MAYBE_DONE = frozenset({"internal_error", "fatal_error", "service_unavailable"})
NOT_JSON = "Received a response in a non-JSON format"  # slack-sdk's error for a body that is not JSON


@dataclass(frozen=True, slots=True)
class PostReceipt:
    destination: str
    ts: str | None


def post_message(
    target: SlackTarget,
    payload: Mapping[str, Any],
    *,
    metadata: Mapping[str, Any] | None = None,
    waits: Waits | None = None,
    retries: int = RETRIES,
    retry_interval: RetryIntervalCalculator | None = None,
) -> PostReceipt:
    """Post the message body (text, blocks, ...) and return where it went and its ts.

    `metadata` (Slack message metadata: event_type and event_payload) goes with a bot's post;
    incoming webhooks have no such field. Raises SlackOutcomeUnknown when the post may have landed.
    """
    waits = waits or Waits()
    handlers = post_retry_handlers(waits, retries, retry_interval)
    if isinstance(target, BotTarget):
        return _post_with_token(target, payload, metadata, waits, handlers)
    return _post_to_webhook(target, payload, waits, handlers)


def _post_with_token(
    target: BotTarget,
    payload: Mapping[str, Any],
    metadata: Mapping[str, Any] | None,
    waits: Waits,
    handlers: list[RetryHandler],
) -> PostReceipt:
    client = GuardedWebClient(
        waits=waits,
        token=target.token,
        base_url=target.api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=handlers,
    )
    try:
        response = client.chat_postMessage(
            channel=target.channel, metadata=dict(metadata) if metadata else None, **payload
        )
    except SlackApiError as error:
        raise _api_answer("chat.postMessage", error.response) from None
    except Exception as error:
        raise _no_answer(target.api_url, error) from None
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
    except Exception as error:
        raise _no_answer(target.url, error) from None
    status = response.status_code
    if status == 200 and response.body.strip() == "ok":
        return PostReceipt(target.destination, None)
    if status < 300:
        raise _unknown("the webhook", f"an answer that is not Slack's, HTTP {status}")
    code = _first_line(response.body) or "no answer"
    if status >= 500:
        raise _unknown("the webhook", f"{code}, HTTP {status}")
    raise _refused("the webhook", code, status)


def _api_answer(where: str, response: SlackResponse) -> SlackError:
    """What an answer that is not ok means: refused (nothing posted), or perhaps posted."""
    status = response.status_code
    code = response.get("error") if isinstance(response.data, dict) else None
    if not isinstance(code, str) or code.startswith(NOT_JSON):
        detail = f"an answer that is not Slack's, HTTP {status}"
        return _unknown(where, detail) if status < 400 or status >= 500 else _refused(where, detail, status)
    if status >= 500 or code in MAYBE_DONE:
        return _unknown(where, f"{code}, HTTP {status}")
    return _refused(where, code, status)


def _no_answer(url: str, error: Exception) -> Exception:
    """What a request that raised means; only a refused connection proves that nothing was sent."""
    host = urlsplit(url).hostname or "Slack"
    if isinstance(error, Cancelled):
        return error  # a wait between attempts was ended: nothing was posted
    if isinstance(error, Unanswered):
        return SlackOutcomeUnknown(f"{error}: the message may or may not have been posted")
    if isinstance(error, SlackError):
        return error
    reason = getattr(error, "reason", None) or type(error).__name__
    if was_not_sent(None, error) or isinstance(reason, ssl.SSLCertVerificationError):
        return SlackError(f"cannot reach Slack at {host}: {reason}")
    return SlackOutcomeUnknown(
        f"no usable answer from Slack at {host} ({reason}): the message may or may not have been posted"
    )


def _refused(where: str, code: str, status: int) -> SlackError:
    hint = HINTS.get(code)
    message = f"Slack refused the message ({where}: {code}, HTTP {status})"
    return SlackError(f"{message}: {hint}" if hint else message, error=code, status=status)


def _unknown(where: str, detail: str) -> SlackOutcomeUnknown:
    return SlackOutcomeUnknown(
        f"Slack gave no clear answer to the message ({where}: {detail}): it may or may not have been posted",
        error=detail,
    )


def _first_line(body: str) -> str:
    """Slack's error code, or the start of whatever else answered, printable characters only."""
    line = body.strip().splitlines()[0] if body.strip() else ""
    return "".join(char for char in line[:100] if char.isprintable())
