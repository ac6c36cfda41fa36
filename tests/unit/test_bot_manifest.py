"""The Slack app manifest operators paste, and the README's bot section, match what the bot does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tracker.bot.answers import help_answer

ROOT = Path(__file__).resolve().parents[2]


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "config" / "slack-app-manifest.yml").read_text(encoding="utf-8")
    )
    return data


def test_the_manifest_asks_for_exactly_the_scopes_the_bot_uses() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])

    assert scopes == {"commands", "app_mentions:read", "chat:write", "users:read", "users:read.email"}


def test_the_manifest_has_the_command_the_mention_event_and_socket_mode() -> None:
    app = manifest()
    (command,) = app["features"]["slash_commands"]

    assert command["command"] == "/contrib"
    assert command["should_escape"] is True  # mentions arrive as member IDs the roster can map
    assert app["settings"]["event_subscriptions"]["bot_events"] == ["app_mention"]
    assert app["settings"]["socket_mode_enabled"] is True


def test_every_question_of_the_help_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The Slack bot") :]
    help_text = help_answer("acme", "/contrib").payload()["blocks"][0]["text"]["text"]

    for question in ("week", "month", "me", "person LOGIN", "@someone", "repo OWNER/NAME", "top"):
        assert f"`/contrib {question}`" in help_text
        assert f"`/contrib {question}`" in section
    assert "config/slack-app-manifest.yml" in section
