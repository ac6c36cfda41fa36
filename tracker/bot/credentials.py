"""The bot's secrets, from the environment only, and the transport they choose.

Light on purpose (no Bolt): `tracker doctor` reads them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.slack.errors import SlackSetupError
from tracker.slack.targets import BOT_TOKEN_ENV, web_api_url

APP_TOKEN_ENV = "SLACK_APP_TOKEN"  # noqa: S105  (a variable name, not a secret)
SIGNING_SECRET_ENV = "SLACK_SIGNING_SECRET"  # noqa: S105
EVENTS_PATH = "/slack/events"
DEFAULT_PORT = 3000


@dataclass(frozen=True, slots=True)
class BotCredentials:
    bot_token: str = field(repr=False)
    api_url: str
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def bot_credentials(environ: Mapping[str, str], *, api_url: str | None) -> BotCredentials:
    """The bot's secrets from the environment; SlackSetupError names the variable that is missing."""
    token = environ.get(BOT_TOKEN_ENV, "").strip()
    if not token:
        raise SlackSetupError(f"{BOT_TOKEN_ENV} is not set: the bot answers with its bot token (xoxb-...)")
    app_token = environ.get(APP_TOKEN_ENV, "").strip() or None
    if app_token is not None and not app_token.startswith("xapp-"):
        raise SlackSetupError(f"{APP_TOKEN_ENV} must be an app-level token (xapp-...) with connections:write")
    secret = environ.get(SIGNING_SECRET_ENV, "").strip() or None
    if app_token is None and secret is None:
        raise SlackSetupError(
            f"{SIGNING_SECRET_ENV} is not set: over HTTP the bot verifies every request with the app's "
            f"signing secret (or set {APP_TOKEN_ENV} to use Socket Mode)"
        )
    return BotCredentials(token, web_api_url(environ, api_url), app_token, secret)


def bot_is_configured(environ: Mapping[str, str]) -> bool:
    """Whether the environment sets up the bot at all (its app token or its signing secret)."""
    return any(environ.get(name, "").strip() for name in (APP_TOKEN_ENV, SIGNING_SECRET_ENV))
