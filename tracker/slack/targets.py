"""Where the digest goes, from the environment: a bot token and channel, or an incoming webhook.

Secrets come from the environment only. Every URL that carries one (the Web API base URL with
the bot token, the webhook URL that is itself the secret) must be https, except on a loopback
address, so that tests and local emulators keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tracker.slack.errors import SlackSetupError
from tracker.urls import is_loopback

BOT_TOKEN_ENV = "SLACK_BOT_TOKEN"  # noqa: S105  (a variable name, not a secret)
WEBHOOK_URL_ENV = "SLACK_WEBHOOK_URL"
API_URL_ENV = "SLACK_API_URL"
API_URL_KEY = "[slack] api_url"
DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True, slots=True)
class BotTarget:
    token: str = field(repr=False)
    channel: str
    api_url: str = DEFAULT_API_URL

    @property
    def destination(self) -> str:
        return f"channel:{self.channel}"


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    url: str = field(repr=False)

    @property
    def destination(self) -> str:
        return "webhook"


SlackTarget = BotTarget | WebhookTarget


def target_from_environment(
    environ: Mapping[str, str], *, channel: str | None, api_url: str | None
) -> SlackTarget | None:
    """The destination the environment configures; a bot token wins over a webhook. None: neither."""
    token = environ.get(BOT_TOKEN_ENV, "").strip()
    webhook = environ.get(WEBHOOK_URL_ENV, "").strip()
    if token:
        if not channel:
            raise SlackSetupError(
                f'{BOT_TOKEN_ENV} is set but no channel is: add channel = "C0123456789" under [slack]'
            )
        return BotTarget(token=token, channel=channel, api_url=web_api_url(environ, api_url))
    if webhook:
        require_safe_url(webhook, WEBHOOK_URL_ENV, show_url=False)
        return WebhookTarget(url=webhook)
    return None


def require_target(environ: Mapping[str, str], *, channel: str | None, api_url: str | None) -> SlackTarget:
    """Like `target_from_environment`, but no destination at all is an error that says what to set."""
    target = target_from_environment(environ, channel=channel, api_url=api_url)
    if target is None:
        raise SlackSetupError(
            f"no Slack destination: set {BOT_TOKEN_ENV} (with [slack] channel) or {WEBHOOK_URL_ENV}"
        )
    return target


def web_api_url(environ: Mapping[str, str], configured: str | None) -> str:
    """SLACK_API_URL, else `[slack] api_url`, else Slack's own: the Web API base the bot token goes to."""
    from_environment = environ.get(API_URL_ENV, "").strip()
    url, source = (from_environment, API_URL_ENV) if from_environment else (configured, API_URL_KEY)
    if not url:
        return DEFAULT_API_URL
    require_safe_url(url, source, show_url=True)
    return url.rstrip("/") + "/"


def require_safe_url(url: str, source: str, *, show_url: bool) -> None:
    """https, or plain http to a loopback address only; `source` names the variable or key.

    A webhook URL is a secret, so its message never shows it (`show_url=False`).
    """
    parts = urlsplit(url)
    shown = f" ({url})" if show_url else ""
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return
    raise SlackSetupError(
        f"{source} must be an https:// URL{shown}; plain http is allowed only to a loopback address "
        "(127.0.0.1, ::1, localhost), because the URL carries a Slack credential"
    )
