"""What can go wrong with Slack, each safe to show: no token and no webhook URL ever appears."""

from __future__ import annotations


class SlackError(Exception):
    """Slack refused the message, could not be reached, or is not set up; safe to show."""

    def __init__(self, message: str, *, error: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.error = error
        self.status = status


class SlackSetupError(SlackError):
    """The environment or config names an incomplete destination (fix and run again)."""


class SlackOutcomeUnknown(SlackError):
    """The message was sent but no clear answer came back: it may or may not be in the channel.

    Never retried blindly: a 5xx, a timeout or a connection dropped after sending can follow a
    post that Slack accepted.
    """
