"""What a person asks the bot, from the words after `/contrib` or after mentioning it. Pure.

Only words that pass a strict check go further (a GitHub login, an `owner/name`, a date, a Slack
member ID); anything else is a request for help, never an error and never echoed back, so no
answer can carry text that a person typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tracker.domain import is_github_login

Topic = Literal["help", "week", "month", "me", "person", "mention", "repo", "top"]
PLAIN_TOPICS: dict[str, Topic] = {"help": "help", "week": "week", "month": "month", "me": "me", "top": "top"}

# Slack writes a mention as <@U0123ABCD> or, in an escaped slash command, <@U0123ABCD|name>.
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>")
_REPO_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

NOT_UNDERSTOOD = "I did not understand that, so here is what I can answer."


@dataclass(frozen=True, slots=True)
class Question:
    """`subject` is the login, the Slack member ID or the `owner/name` asked about; `problem` says,
    in the bot's own words, why a question became a request for help."""

    topic: Topic
    subject: str | None = None
    since: date | None = None
    until: date | None = None
    problem: str | None = None


def help_for(problem: str | None) -> Question:
    return Question("help", problem=problem)


def parse_question(text: str) -> Question:
    words = text.split()
    if not words:
        return help_for(None)
    try:
        words, since, until = _window_words(words)
    except ValueError as problem:
        return help_for(str(problem))
    question = _topic(words)
    if question is None:
        return help_for(NOT_UNDERSTOOD)
    return Question(question.topic, question.subject, since, until)


def without_leading_mention(text: str, user_id: str | None) -> str:
    """A mention's text without the mention of the bot that starts it (`<@UBOT> week` -> `week`)."""
    match = _MENTION.match(text.lstrip())
    if match is None or (user_id is not None and match.group(1) != user_id):
        return text
    return text.lstrip()[match.end() :]


def _topic(words: list[str]) -> Question | None:
    if not words:
        return None
    verb, rest = words[0].lower(), words[1:]
    if verb in PLAIN_TOPICS and not rest:
        return Question(PLAIN_TOPICS[verb])
    mention = _MENTION.fullmatch(words[0])
    if mention is not None and not rest:
        return Question("mention", mention.group(1))
    if len(rest) != 1:
        return None
    if verb == "person":
        return _person(rest[0])
    if verb == "repo":
        return _repo(rest[0])
    return None


def _person(word: str) -> Question | None:
    mention = _MENTION.fullmatch(word)
    if mention is not None:
        return Question("mention", mention.group(1))
    login = word.removeprefix("@")
    return Question("person", login) if is_github_login(login) else None


def _repo(word: str) -> Question | None:
    owner, _, name = word.strip("/").removeprefix("https://github.com/").partition("/")
    if is_github_login(owner) and _REPO_NAME.fullmatch(name) and name not in (".", ".."):
        return Question("repo", f"{owner}/{name}")
    return None


def _window_words(words: list[str]) -> tuple[list[str], date | None, date | None]:
    """The words before `since`, and the days of `since YYYY-MM-DD [until YYYY-MM-DD]` at the end."""
    lowered = [word.lower() for word in words]
    if "since" not in lowered:
        if "until" in lowered:
            raise ValueError("`until` needs a `since` before it: since YYYY-MM-DD until YYYY-MM-DD.")
        return words, None, None
    at = lowered.index("since")
    tail = lowered[at:]
    if len(tail) not in (2, 4) or (len(tail) == 4 and tail[2] != "until"):
        raise ValueError("Give a window as since YYYY-MM-DD, or since YYYY-MM-DD until YYYY-MM-DD.")
    since = _day(tail[1], "since")
    until = _day(tail[3], "until") if len(tail) == 4 else None
    if until is not None and until <= since:
        raise ValueError("`until` must be after `since` (it is exclusive: the window ends before it).")
    return words[:at], since, until


def _day(word: str, key: str) -> date:
    if _DATE.fullmatch(word):
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    raise ValueError(f"`{key}` needs a date written YYYY-MM-DD.")
