"""Secrets never reach a log line; JSON lines carry time, level, message and extra fields."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tracker.logs import (
    HumanFormatter,
    JsonFormatter,
    RedactingFilter,
    configure_logging,
    redact,
    secrets_from_environment,
)

GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5" * 3 + "f6G7h8"
FINE_GRAINED = "github_pat_11ABCDEFG0" + "hIjKlMnOpQ" * 6
SLACK_TOKEN = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"


# --- redact --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"GitHub said 401 for {GITHUB_TOKEN}", "GitHub said 401 for [redacted]"),
        (f"GITHUB_TOKEN={GITHUB_TOKEN}", "GITHUB_TOKEN=[redacted]"),
        (f"token {FINE_GRAINED} expired", "token [redacted] expired"),
        (f"slack auth failed: {SLACK_TOKEN}", "slack auth failed: [redacted]"),
        ("app token xapp-1-A0TRACKER-1234567890-abcdef0123 refused", "app token [redacted] refused"),
        (f"posting to {WEBHOOK} failed", "posting to [redacted] failed"),
        (f"url='{WEBHOOK}'", "url='[redacted]'"),
        ("Authorization: token 0123456789abcdef", "Authorization: token [redacted]"),
        ("authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln rest", "authorization: Bearer [redacted] rest"),
        (
            "cannot connect to postgresql+psycopg://tracker:s3cr3t-pw@db.internal:5432/tracker",
            "cannot connect to postgresql+psycopg://tracker:[redacted]@db.internal:5432/tracker",
        ),
    ],
)
def test_redact_removes_secrets(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "sqlite:////var/lib/tracker/tracker.db",
        "postgresql+psycopg://tracker@db.internal:5432/tracker",
        "GET https://api.github.com:443/repos/huggingface/transformers/issues?per_page=100",
        "synced 42 contributions for acme in 3.2 s",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def test_redact_removes_known_secret_values_of_six_characters_or_more() -> None:
    assert redact("password hunter2 and key abc", ("hunter2", "abc", "")) == "password [redacted] and key abc"


# --- the filter on real records ------------------------------------------------------------


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(("custom-secret-value",)))
    handler.setFormatter(HumanFormatter())
    logger = logging.getLogger("tests.unit.test_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def test_filter_redacts_secrets_passed_as_arguments(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured

    logger.info("calling %s with %s and %s", "https://api.github.com", GITHUB_TOKEN, "custom-secret-value")

    assert stream.getvalue() == "calling https://api.github.com with [redacted] and [redacted]\n"


def test_filter_redacts_secrets_inside_an_exception(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured

    try:
        raise ConnectionError(f"cannot reach postgresql://tracker:pw-in-url@db/tracker with {SLACK_TOKEN}")
    except ConnectionError:
        logger.exception("sync of %s failed", "acme")

    output = stream.getvalue()
    assert output.startswith("error: sync of acme failed\nTraceback (most recent call last):\n")
    assert output.rstrip().endswith(
        "ConnectionError: cannot reach postgresql://tracker:[redacted]@db/tracker with [redacted]"
    )
    assert "pw-in-url" not in output
    assert SLACK_TOKEN not in output


def test_filter_redacts_string_extra_fields(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.handlers[0].setFormatter(JsonFormatter())

    logger.warning("posting failed", extra={"webhook": WEBHOOK, "attempt": 2})

    entry = json.loads(stream.getvalue())
    assert entry["webhook"] == "[redacted]"
    assert entry["attempt"] == 2


# --- JSON lines ----------------------------------------------------------------------------


def make_record(message: str, *args: object, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("tracker.sync", level, __file__, 10, message, args, None)
    record.created = datetime(2026, 11, 28, 12, 0, 0, 250000, tzinfo=UTC).timestamp()
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def test_json_formatter_emits_time_level_logger_message_and_extra_fields() -> None:
    record = make_record(
        "synced %d contributions for %s",
        42,
        "acme",
        run_id="r-17",
        new=42,
        started_at=datetime(2026, 11, 28, 11, 59, tzinfo=UTC),
    )

    line = JsonFormatter().format(record)

    assert json.loads(line) == {
        "time": "2026-11-28T12:00:00.250+00:00",
        "level": "info",
        "logger": "tracker.sync",
        "message": "synced 42 contributions for acme",
        "run_id": "r-17",
        "new": 42,
        "started_at": "2026-11-28 11:59:00+00:00",
    }


def test_json_formatter_writes_one_object_per_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())

    handler.handle(make_record("first line\nsecond line", level=logging.WARNING))
    handler.handle(make_record("next record"))

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert [(json.loads(line)["level"], json.loads(line)["message"]) for line in lines] == [
        ("warning", "first line\nsecond line"),
        ("info", "next record"),
    ]


# --- configure_logging ---------------------------------------------------------------------


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    noisy = {name: logging.getLogger(name).level for name in ("github", "urllib3", "sqlalchemy")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, noisy_level in noisy.items():
        logging.getLogger(name).setLevel(noisy_level)


def test_configure_logging_json_redacts_secrets_from_the_environment(
    restored_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_LOG_FORMAT", "json")
    monkeypatch.setenv("GITHUB_TOKEN", "not-a-ghp-shaped-token-1234")
    stream = io.StringIO()

    configure_logging(stream=stream)
    logging.getLogger("tracker.sync").info("using %s", "not-a-ghp-shaped-token-1234")
    logging.getLogger("tracker.sync").debug("not shown without --debug")
    logging.getLogger("urllib3").info("not shown either")

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert (entry["level"], entry["logger"], entry["message"]) == ("info", "tracker.sync", "using [redacted]")
    assert logging.getLogger("urllib3").level == logging.ERROR


def test_a_secret_set_with_a_trailing_newline_is_redacted_as_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "plain-token-value-1234\n")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "  signing-secret-5678 ")

    secrets = secrets_from_environment()
    text = redact("Authorization failed for plain-token-value-1234; signature signing-secret-5678", secrets)

    assert "plain-token-value-1234" not in text
    assert "signing-secret-5678" not in text
