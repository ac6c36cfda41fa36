"""Logging set-up: readable lines on a terminal, JSON lines when TRACKER_LOG_FORMAT=json.

A redaction filter removes anything that looks like a secret (GitHub and Slack tokens,
webhook URLs, passwords in database URLs) from every record, whatever its origin.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

LOG_FORMAT_ENV = "TRACKER_LOG_FORMAT"
LOG_FORMATS = ("text", "json")
SECRET_ENV_NAMES = (
    "GITHUB_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_WEBHOOK_URL",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
)
_SECRET_PATTERNS = (
    re.compile(r"\b(gh[pousr]_[A-Za-z0-9_]{10,}|github_pat_[A-Za-z0-9_]{10,})"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{6,}"),
    re.compile(r"\bxapp-[A-Za-z0-9-]{6,}"),
    re.compile(r"https://hooks\.slack(?:-gov)?\.com/[^\s\"']+"),
    re.compile(r"(?i)\b(authorization:\s*(?:token|bearer)\s+)\S+"),
    re.compile(r"(?<=://)([^:/@\s]+):([^@/\s]+)@"),
)
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({})))


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(_redacted_match, text)
    return text


def _redacted_match(match: re.Match[str]) -> str:
    if match.re.pattern.startswith("(?i)"):
        return f"{match.group(1)}[redacted]"
    if match.re.pattern.startswith("(?<=://)"):
        return f"{match.group(1)}:[redacted]@"
    return "[redacted]"


def secrets_from_environment() -> tuple[str, ...]:
    """Each secret as set and as used: a value pasted with a trailing newline is sent stripped."""
    forms: list[str] = []
    for name in SECRET_ENV_NAMES:
        value = os.environ.get(name) or ""
        forms.extend(form for form in (value, value.strip()) if form and form not in forms)
    return tuple(forms)


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self._secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self._secrets)
            record.exc_info = None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, redact(value, self._secrets))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and name not in ("message", "asctime"):
                entry[name] = value
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


class HumanFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        text = prefix + record.getMessage()
        if record.exc_text:
            text += "\n" + record.exc_text
        return text


def log_format_from_environment() -> str:
    """TRACKER_LOG_FORMAT as given ("json" in any case is JSON; unset or empty is text)."""
    value = os.environ.get(LOG_FORMAT_ENV, "").strip().lower()
    return value or "text"


def configure_logging(
    *, debug: bool = False, log_format: str | None = None, stream: TextIO | None = None
) -> None:
    """Every line on stderr, the final error included, in one format: `log_format`, else
    TRACKER_LOG_FORMAT's (anything but "json" is text)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    json_lines = (log_format or log_format_from_environment()) == "json"
    handler.setFormatter(JsonFormatter() if json_lines else HumanFormatter())
    handler.addFilter(RedactingFilter(secrets_from_environment()))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("github", "alembic", "sqlalchemy", "apscheduler", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug and noisy != "github" else logging.WARNING)
    # urllib3 warns of each retry of a dropped connection; the caller reports the outcome itself, in
    # one line naming the URL, so the retries belong to the debug logs.
    logging.getLogger("urllib3").setLevel(logging.DEBUG if debug else logging.ERROR)
    # slack-sdk logs every failed request at error level before raising it, and the caller reports
    # that failure itself in one line.
    logging.getLogger("slack_sdk").setLevel(logging.DEBUG if debug else logging.CRITICAL)
