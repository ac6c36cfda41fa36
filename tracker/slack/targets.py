"""Where the digest goes, from the environment: a bot token and channel, or an incoming webhook.

Secrets come from the environment only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.slack.errors import SlackSetupError

BOT_TOKEN_ENV = "SLACK_BOT_TOKEN"  # noqa: S105  (a variable name, not a secret)
WEBHOOK_URL_ENV = "SLACK_WEBHOOK_URL"
API_URL_ENV = "SLACK_API_URL"
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
        base = environ.get(API_URL_ENV, "").strip() or api_url or DEFAULT_API_URL
        return BotTarget(token=token, channel=channel, api_url=base.rstrip("/") + "/")
    if webhook:
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
