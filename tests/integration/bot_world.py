"""The digest's hand-counted organization (`digest_world`), with Slack identities in its roster,
and what the bot tests need to ask it questions and read the answers back as numbers.

Slack users: ada is U0ADA0001 (by `slack`), bob is matched by his email, carol (public = false)
is U0CAROL01, erin has no Slack identity at all. The clock stands on Wednesday 12 March 2025.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.integration import digest_world as world
from tracker.bot.answers import BotAnswer
from tracker.bot.ask import Asker, answer_question
from tracker.cli import run
from tracker.config import Settings, load_settings

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
ADA, BOB, CAROL, ERIN, STRANGER = "U0ADA0001", "U0BOB0001", "U0CAROL01", "U0ERIN001", "U0NOBODY1"
EMAILS = {BOB: "Bob@Acme.example", ERIN: "erin@elsewhere.example", STRANGER: "who@acme.example"}

ROSTER = """
[[member]]
login = "ada"
name = "Ada Lovelace"
team = "Research"
slack = "U0ADA0001"

[[member]]
login = "bob"
team = "Research"
email = "bob@acme.example"

[[member]]
login = "carol"
name = "Carol Secret"
team = "Infra"
public = false
slack = "U0CAROL01"

[[member]]
login = "erin"
team = "Infra"
aliases = ["erin-work"]
"""


def write_config(directory: Path, database_url: str, *, timezone: str = "UTC") -> Path:
    config = world.write_config(directory, database_url, timezone=timezone)
    (directory / "roster.toml").write_text(ROSTER, encoding="utf-8")
    return config


def filled(directory: Path, database_url: str, engine: Engine, *, timezone: str = "UTC") -> Settings:
    world.fill(engine)
    return load_settings(write_config(directory, database_url, timezone=timezone))


def asker(user_id: str, emails: dict[str, str] | None = None, asked: list[str] | None = None) -> Asker:
    known = EMAILS if emails is None else emails

    def email_of(user: str) -> str | None:
        if asked is not None:
            asked.append(user)
        return known.get(user)

    return Asker(user_id=user_id, call="/contrib", email_of=email_of)


def ask(engine: Engine, settings: Settings, text: str, user_id: str = ADA) -> BotAnswer:
    return answer_question(engine, settings, text, asker(user_id), NOW)


Stats = dict[str, dict[str, int]]


def stats(capsys: pytest.CaptureFixture[str], settings: Settings, by: str, *options: str) -> Stats:
    """`tracker stats --by BY OPTIONS --format json` by group: {"ada": {"pr_merged": 1, ..., "total": 3}}."""
    code = run(["--config", str(settings.path), "stats", "--by", by, *options, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    rows: list[dict[str, Any]] = json.loads(out) if out.strip() else []
    return {row.pop(by): row for row in rows}


def fields(answer: BotAnswer) -> dict[str, int]:
    """The numbers of the answer's field block, by label: {"PRs merged": 4, ...}."""
    found: dict[str, int] = {}
    for block in answer.payload()["blocks"]:
        for field in block.get("fields", []):
            label, number = re.match(r"\*(.+?)\*\n([\d,]+)", field["text"]).groups()  # type: ignore[union-attr]
            found[label] = int(number.replace(",", ""))
    return found


def changes(answer: BotAnswer) -> dict[str, int]:
    """The change shown beside each number of the field block: ▲ 3 is 3, ▼ 2 is -2, — is 0."""
    found: dict[str, int] = {}
    for block in answer.payload()["blocks"]:
        for field in block.get("fields", []):
            label, shown = re.match(r"\*(.+?)\*\n[\d,]+\s+(.+)", field["text"]).groups()  # type: ignore[union-attr]
            sign, _, amount = shown.partition(" ")
            found[label] = {"▲": 1, "▼": -1, "—": 0}[sign] * int(amount.replace(",", "") or 0)
    return found


def listed(answer: BotAnswer, title: str) -> dict[str, int]:
    """The lines of the answer's list whose title starts with `title`: {"org/repo": 3, ...}."""
    for block in answer.payload()["blocks"]:
        text: str = block.get("text", {}).get("text", "")
        if text.startswith(f"*{title}"):
            return dict(_entry(line) for line in text.splitlines()[1:] if not line.startswith("_and"))
    return {}


def _entry(line: str) -> tuple[str, int]:
    match = re.match(r"(?:•|\d+\.) (?:<[^|>]+\|)?([^>·]+?)>? · ([\d,]+)", line)
    assert match is not None, line
    return match.group(1).strip(), int(match.group(2).replace(",", ""))


def stats_totals(rows: Stats) -> dict[str, int]:
    return {group: row["total"] for group, row in rows.items()}


KIND_FIELDS: dict[str, str] = {
    "PRs merged": "pr_merged",
    "PRs opened": "pr_opened",
    "Reviews": "review",
    "Issues opened": "issue_opened",
    "Comments": "comment",
}
Reader = Callable[[BotAnswer], dict[str, int]]
