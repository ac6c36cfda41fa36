"""Untrusted text (PR titles, names) printed by the CLI: shown as text, never run as markup,
terminal control codes or spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tracker.cli.output import emit, spreadsheet_safe, terminal_safe

COLUMNS = ["title", "login", "counts"]


def test_a_table_shows_rich_markup_in_a_title_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    records: list[dict[str, object]] = [
        {"title": "Fix loader [/bold] and [link=https://evil.example]docs[/link]", "login": "release[bot]"}
    ]

    emit(records, COLUMNS, "table", empty="none")

    out = capsys.readouterr().out
    assert "[/bold]" in out
    assert "[link=https://evil.example]docs[/link]" in out
    assert "release[bot]" in out
    assert "\x1b]8;" not in out  # no terminal hyperlink


def test_a_table_drops_terminal_control_codes(capsys: pytest.CaptureFixture[str]) -> None:
    records: list[dict[str, object]] = [{"title": "clear\x1b[2J screen\x07 and \x9b31m red", "login": "fay"}]

    emit(records, COLUMNS, "table", empty="none")

    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "clear[2J screen and 31m red" in out


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(capsys: pytest.CaptureFixture[str]) -> None:
    titles = ['=HYPERLINK("https://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "fine"]
    records: list[dict[str, object]] = [{"title": title, "login": "fay", "counts": True} for title in titles]

    emit(records, COLUMNS, "csv", empty="none")

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["title"] for row in rows] == [*("'" + title for title in titles[:-1]), "fine"]
    assert {row["counts"] for row in rows} == {"true"}


def test_json_keeps_the_text_exactly(capsys: pytest.CaptureFixture[str]) -> None:
    records: list[dict[str, object]] = [{"title": "=1+1 [/bold]", "login": "fay"}]

    emit(records, COLUMNS, "json", empty="none")

    assert capsys.readouterr().out.strip() == '[{"title": "=1+1 [/bold]", "login": "fay"}]'


@pytest.mark.parametrize(
    ("value", "expected"), [(3, 3), (None, None), (False, "false"), ("a=b", "a=b"), ("-", "'-")]
)
def test_spreadsheet_safe_leaves_numbers_and_plain_text_alone(value: object, expected: object) -> None:
    assert spreadsheet_safe(value) == expected


def test_terminal_safe_keeps_tabs_newlines_and_unicode() -> None:
    assert terminal_safe("a\tb\nc é 漢\u200b") == "a\tb\nc é 漢\u200b"


URLS = [
    "https://github.com/huggingface/transformers/pull/31415",
    "https://github.example.com/very-long-organization-name/very-long-repository-name/issues/27182",
]


@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_table_on_a_narrow_terminal_never_cuts_a_url(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("tracker.cli.output.stdout_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", str(width))
    title = "A long title about the tokenizer that a narrow terminal has to wrap over several lines"
    records: list[dict[str, object]] = [{"title": title, "login": "fay", "url": url} for url in URLS]

    emit(records, ["title", "login", "url"], "table", empty="none")

    lines = capsys.readouterr().out.splitlines()
    for url in URLS:
        assert any(url in line for line in lines)
    assert "tokenizer" in "".join(lines)


def test_a_table_shows_the_totals_after_the_rows(capsys: pytest.CaptureFixture[str]) -> None:
    records: list[dict[str, object]] = [{"repo": "a/b", "total": 3}, {"repo": "c/d", "total": 2}]

    emit(records, ["repo", "total"], "table", empty="none", totals={"repo": "total", "total": 5})

    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert lines[-1] == ["total", "│", "5"]
    assert [line[0] for line in lines[:-1]].index("c/d") < len(lines) - 1


def test_json_has_no_totals_row(capsys: pytest.CaptureFixture[str]) -> None:
    records: list[dict[str, object]] = [{"repo": "a/b", "total": 3}]

    emit(records, ["repo", "total"], "json", empty="none", totals={"repo": "total", "total": 3})

    assert json.loads(capsys.readouterr().out) == records
