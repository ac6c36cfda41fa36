"""Checks a Slack destination and the bot's tokens without posting anything (doctor, bot start)."""

from __future__ import annotations

from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tracker.slack.errors import SlackError
from tracker.slack.targets import WEBHOOK_URL_ENV, BotTarget, SlackTarget, WebhookTarget
from tracker.slack.transport import GuardedWebClient
from tracker.slack.waits import Waits, read_retry_handlers


def verify_target(target: SlackTarget, waits: Waits | None = None) -> str:
    """A one-line description of the destination, or SlackError saying what is wrong."""
    if isinstance(target, WebhookTarget):
        return _verify_webhook(target)
    return _verify_bot(target, waits or Waits())


def _verify_webhook(target: WebhookTarget) -> str:
    """By its shape only, which `target_from_environment` already checked (https, or http to this
    machine): Slack's own hosts are not required, since GovSlack, Enterprise Grid proxies and test
    servers post fine elsewhere, and a webhook can be tried only by posting."""
    scheme = urlsplit(target.url).scheme
    where = "an https:// URL" if scheme == "https" else "an http:// URL to this machine"
    return f"{WEBHOOK_URL_ENV} set ({where}); a webhook cannot be checked without posting"


def _verify_bot(target: BotTarget, waits: Waits) -> str:
    identity = check_bot_token(target.token, target.api_url, waits)
    return f"bot {identity.user} in workspace {identity.team}, channel {target.channel}"


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot token is, as auth.test says."""

    user: str
    team: str


def check_bot_token(token: str, api_url: str, waits: Waits | None = None) -> BotIdentity:
    return bot_identity(_reading_client(api_url, waits or Waits(), token=token))


def bot_identity(client: WebClient) -> BotIdentity:
    """auth.test with the client's token, or SlackError saying why Slack refused it."""
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        raise _rejected("SLACK_BOT_TOKEN", error) from None
    except (OSError, ValueError, HTTPException) as error:
        raise _unreachable(error) from None
    return BotIdentity(str(answer.get("user", "?")), str(answer.get("team", "?")))


def check_app_token(app_token: str, api_url: str, waits: Waits | None = None) -> None:
    """apps.connections.open with the app-level token (it opens nothing), or SlackError."""
    try:
        _reading_client(api_url, waits or Waits()).apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        raise _rejected("SLACK_APP_TOKEN", error) from None
    except (OSError, ValueError, HTTPException) as error:
        raise _unreachable(error) from None


def _reading_client(api_url: str, waits: Waits, *, token: str | None = None) -> GuardedWebClient:
    return GuardedWebClient(
        waits=waits, token=token, base_url=api_url, timeout=15, retry_handlers=read_retry_handlers(waits)
    )


def _rejected(variable: str, error: SlackApiError) -> SlackError:
    code = error.response.get("error") if isinstance(error.response.data, dict) else None
    # slack-sdk turns a body that is not JSON (a proxy's page) into a long "error"; not shown.
    shown = code if isinstance(code, str) and len(code) < 60 else "an answer that is not Slack's"
    return SlackError(f"Slack rejected {variable} ({shown})", error=shown)


def _unreachable(error: Exception) -> SlackError:
    return SlackError(f"cannot reach the Slack API: {type(error).__name__}")
