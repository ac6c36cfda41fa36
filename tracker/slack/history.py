"""Find a message the bot posted earlier by its Slack message metadata (conversations.history).

When a post's outcome is unknown, the next run looks in the channel before posting again: a
message whose metadata carries the same event type and payload is the earlier post. The search
reads only messages since the earlier attempt and stops after a few pages; a channel busier than
that is an error, never a guess that the message is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryIntervalCalculator

from tracker.cancel import Cancelled
from tracker.slack.errors import SlackError
from tracker.slack.targets import BotTarget
from tracker.slack.transport import TIMEOUT_SECONDS, GuardedWebClient
from tracker.slack.waits import Waits, read_retry_handlers

HISTORY_PAGES = 5
HISTORY_PAGE_SIZE = 100
HISTORY_HINTS = {
    "missing_scope": "the app needs the channels:history scope (groups:history for a private channel)",
    "not_in_channel": "invite the bot to the channel first (/invite @your-app)",
    "channel_not_found": "check [slack] channel; a channel ID such as C0123456789 is safest",
}


def find_message(
    target: BotTarget,
    *,
    event_type: str,
    event_payload: Mapping[str, Any],
    since: datetime,
    waits: Waits | None = None,
    retry_interval: RetryIntervalCalculator | None = None,
) -> str | None:
    """The ts of the channel's newest message since `since` carrying this metadata, or None."""
    waits = waits or Waits()
    client = GuardedWebClient(
        waits=waits,
        token=target.token,
        base_url=target.api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=read_retry_handlers(waits, interval=retry_interval),
    )
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        page = _read_page(client, target, since, cursor)
        for message in _messages(page):
            if _carries(message, event_type, event_payload):
                return str(message["ts"])
        cursor = _next_cursor(page)
        if cursor is None:
            return None
    raise SlackError(
        f"more than {HISTORY_PAGES * HISTORY_PAGE_SIZE} messages in {target.channel} since "
        f"{since:%Y-%m-%d %H:%M} UTC; could not look through them all"
    )


def _read_page(
    client: GuardedWebClient, target: BotTarget, since: datetime, cursor: str | None
) -> dict[str, Any]:
    try:
        response = client.conversations_history(
            channel=target.channel,
            include_all_metadata=True,
            oldest=f"{since.timestamp():.6f}",
            limit=HISTORY_PAGE_SIZE,
            cursor=cursor,
        )
    except SlackApiError as error:
        raise _refused(error) from None
    except Cancelled:
        raise
    except SlackError as error:
        raise SlackError(f"cannot read the channel's history: {error}") from None
    except Exception as error:
        host = urlsplit(target.api_url).hostname or "Slack"
        reason = getattr(error, "reason", None) or type(error).__name__
        raise SlackError(f"cannot read the channel's history at {host}: {reason}") from None
    if not isinstance(response.data, dict):
        raise _unexpected("not a JSON object")
    return response.data


def _messages(page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    messages = page.get("messages")
    if not isinstance(messages, list) or not all(isinstance(message, dict) for message in messages):
        raise _unexpected("no list of messages")
    return messages


def _carries(message: Mapping[str, Any], event_type: str, event_payload: Mapping[str, Any]) -> bool:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != event_type:
        return False
    payload = metadata.get("event_payload")
    return (
        isinstance(payload, dict)
        and all(payload.get(key) == value for key, value in event_payload.items())
        and isinstance(message.get("ts"), str)
    )


def _next_cursor(page: Mapping[str, Any]) -> str | None:
    if not page.get("has_more"):
        return None
    metadata = page.get("response_metadata")
    cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
    if not isinstance(cursor, str) or not cursor:
        raise _unexpected("has_more without a next_cursor")
    return cursor


def _refused(error: SlackApiError) -> SlackError:
    response = error.response
    code = response.get("error") if isinstance(response.data, dict) else None
    code = code if isinstance(code, str) and len(code) < 60 else "an answer that is not Slack's"
    hint = HISTORY_HINTS.get(code)
    status = response.status_code
    message = f"Slack refused to show the channel's history (conversations.history: {code}, HTTP {status})"
    return SlackError(f"{message}: {hint}" if hint else message, error=code, status=status)


def _unexpected(what: str) -> SlackError:
    return SlackError(f"conversations.history answered with {what}; cannot tell whether the message is there")
