"""What a person sees first from `tracker stats` and `tracker query`: a stated recent window with
its totals, a first page on a terminal, partial weeks said to be partial."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.integration.test_cli import synced  # noqa: F401  (the fixture)
from tracker.cli import run

# A Wednesday: the last 4 complete weeks are Monday 21 September to Sunday 18 October 2026.
NOW = datetime(2026, 10, 21, 10, 0, tzinfo=UTC)
RECENT = ("--since", "2026-09-21", "--until", "2026-10-19")


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.query.current_time", lambda: NOW)


def tracker(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def as_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.cli.output.stdout_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")


def table_rows(out: str) -> list[list[str]]:
    """The cells of each table line below the header rule."""
    lines = out.splitlines()
    rule = next(index for index, line in enumerate(lines) if line.startswith("━"))
    return [[cell.strip() for cell in line.split("│")] for line in lines[rule + 1 :] if "│" in line]


def test_stats_without_options_counts_the_last_four_weeks_per_kind_and_says_so(
    synced: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = tracker(capsys, "--config", str(synced), "stats")
    _, recent, _ = tracker(capsys, "--config", str(synced), "query", *RECENT, "--format", "json")

    assert code == 0
    assert out.splitlines()[0] == (
        "the last 4 weeks (21 September \u2013 18 October 2026): "
        "--since 2026-09-21 --until 2026-10-19; --all for all history"
    )
    rows = table_rows(out)
    kinds = {json.loads(recent)[0]["kind"], *(row["kind"] for row in json.loads(recent))}
    assert {row[0] for row in rows[:-1]} == kinds
    assert rows[-1][0] == "total"
    assert int(rows[-1][-1]) == len(json.loads(recent)) == sum(int(row[-1]) for row in rows[:-1])


def test_stats_in_json_states_the_default_window_on_stderr_and_counts_what_query_lists(
    synced: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = tracker(capsys, "--config", str(synced), "stats", "--format", "json")
    _, recent, _ = tracker(capsys, "--config", str(synced), "query", *RECENT, "--format", "json")

    assert code == 0
    assert "--since 2026-09-21 --until 2026-10-19" in err
    by_kind = {row["kind"]: row["total"] for row in json.loads(out)}
    assert sum(by_kind.values()) == len(json.loads(recent))
    assert "total" not in by_kind


def test_stats_all_counts_everything_stored(
    synced: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, err = tracker(capsys, "--config", str(synced), "stats", "--all", "--format", "json")
    _, everything, _ = tracker(capsys, "--config", str(synced), "query", "--format", "json")

    assert sum(row["total"] for row in json.loads(out)) == len(json.loads(everything)) == 13
    assert err == ""


def test_all_with_a_range_is_a_usage_error(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    code, _, err = tracker(capsys, "--config", str(synced), "stats", "--all", "--since", "2026-10-01")

    assert code == 2
    assert "--all" in err and "--since" in err


def test_stats_by_week_marks_a_week_the_range_cuts_as_partial(
    synced: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    # From a Wednesday to a Monday: the first week is cut, the second is whole.
    weeks = ("stats", "--by", "week", "--since", "2026-10-07", "--until", "2026-10-19")

    _, out, _ = tracker(capsys, "--config", str(synced), *weeks, "--format", "json")
    _, table, _ = tracker(capsys, "--config", str(synced), *weeks)

    assert [(row["week"], row["partial"]) for row in json.loads(out)] == [
        ("2026-10-05", True),
        ("2026-10-12", False),
    ]
    assert [row[0] for row in table_rows(table)] == ["2026-10-05 (partial)", "2026-10-12", "total"]


def test_query_on_a_terminal_shows_a_first_page_and_says_how_many_more(
    synced: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    as_terminal(monkeypatch)
    monkeypatch.setattr("tracker.cli.query.TERMINAL_LIMIT", 5)

    code, out, err = tracker(capsys, "--config", str(synced), "query")

    assert code == 0
    assert len(table_rows(out)) == 5
    assert err.strip() == "… and 8 more; use --limit 0 for all"


@pytest.mark.parametrize(
    ("terminal", "options"),
    [(False, ()), (True, ("--format", "table")), (True, ("--format", "csv")), (True, ("--limit", "0"))],
)
def test_query_piped_or_with_a_format_or_limit_zero_shows_everything(
    terminal: bool,
    options: tuple[str, ...],
    synced: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if terminal:
        as_terminal(monkeypatch)
    monkeypatch.setattr("tracker.cli.query.TERMINAL_LIMIT", 5)

    code, out, err = tracker(capsys, "--config", str(synced), "query", *options)

    assert code == 0 and err == ""
    assert out.count("https://github.com/") == 13


def test_an_explicit_limit_applies_to_json_too(
    synced: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = tracker(capsys, "--config", str(synced), "query", "--limit", "3", "--format", "json")

    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 3
    assert rows == sorted(rows, key=lambda row: row["occurred_at"], reverse=True)
    assert err.strip() == "… and 10 more; use --limit 0 for all"
