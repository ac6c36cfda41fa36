"""The digest's sentences: mrkdwn escaping, small pieces, the fallback text and plain text."""

from dataclasses import replace

import pytest

from tests.unit.digest_samples import NOW, content_for, counted
from tracker.digest.content import Change
from tracker.digest.text import (
    delta_text,
    escape_mrkdwn,
    fallback_text,
    membership_note,
    render_text,
    safe_url,
    shorten,
    sparkline,
)
from tracker.domain import Kind
from tracker.periods import EN_DASH

# --- small pieces -------------------------------------------------------------------------------


def test_escape_mrkdwn_escapes_the_three_control_characters() -> None:
    assert escape_mrkdwn("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape_mrkdwn("&lt;") == "&amp;lt;"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://github.com/a/b/pull/1", "https://github.com/a/b/pull/1"),
        ("https://x.example/?a=1&b=2", "https://x.example/?a=1&amp;b=2"),
        ("https://x.example/a|b>c", "https://x.example/a%7Cb&gt;c"),
        ("javascript:alert(1)", None),
        ("https://x.example/a b", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, safe: str | None) -> None:
    assert safe_url(url) == safe


@pytest.mark.parametrize(
    ("change", "text"),
    [(Change(5, 2), "▲ 3"), (Change(2, 4), "▼ 2"), (Change(3, 3), "—"), (Change(1500, 0), "▲ 1,500")],
)
def test_delta_text(change: Change, text: str) -> None:
    assert delta_text(change) == text


def test_sparkline_scales_to_the_largest_and_keeps_small_values_visible() -> None:
    assert sparkline([0, 1, 5, 10, 7, 3, 0, 10]) == "▁▂▅█▆▃▁█"
    assert sparkline([0, 0, 0]) == "▁▁▁"
    assert sparkline([4, 4]) == "██"


def test_shorten_makes_one_line_of_bounded_length() -> None:
    assert shorten("a\nb   c", 10) == "a b c"
    assert shorten("x" * 200, 120) == "x" * 119 + "…"


# --- the fallback text --------------------------------------------------------------------------


def test_fallback_text_is_plain_and_escaped() -> None:
    rows = [counted(Kind.COMMENT, "ada", "org/repo", github_id=1)]

    text = fallback_text(content_for(rows, org="R&D <team>"))

    assert "*" not in text
    assert text.startswith("R&amp;D &lt;team&gt; · open-source AI")


# --- plain text (--dry-run) ---------------------------------------------------------------------


def test_plain_text_rendering_reads_well() -> None:
    rows = [
        counted(Kind.PR_MERGED, "ada", "org/repo", github_id=7, title="Add <thing> & test", team="Research"),
        counted(Kind.REVIEW, "bob", "org/repo", github_id=8, team="Research"),
    ]

    text = render_text(content_for(rows, names={"ada": "Ada Lovelace"}), now=NOW)

    assert text.startswith(f"acme · open-source AI · 3{EN_DASH}9 March 2025\n\n")
    assert "This week acme gave 2 contributions to 1 open-source AI project, from 2 people." in text
    assert "  PRs merged          1  ▲ 1\n" in text
    assert f"  ▲ ▼ against the previous week (24 February {EN_DASH} 2 March 2025)" in text
    assert "Who gave this week\n  • Ada Lovelace (ada) · 1\n  • bob · 1\n" in text
    assert "Teams\n  • Research · 2 from 2 people\n" in text
    assert (
        "  • Add <thing> & test · org/repo #7 · Ada Lovelace (ada)\n      https://github.com/org/repo/pull/7"
        in text
    )
    assert "&amp;" not in text
    assert text.endswith("Data as of the last successful sync, which ended Mon 10 Mar 2025, 07:00 CET.\n")


def test_plain_text_of_an_empty_week() -> None:
    text = render_text(content_for([]), now=NOW)

    assert text.splitlines()[2] == (
        "🌱 A quiet week: no counted contributions from acme to open-source AI projects this time. "
        "See you next week!"
    )


# --- membership -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined", "left", "note"),
    [
        (2, 1, "👋 2 people joined and 1 left this week"),
        (1, 0, "👋 1 person joined this week"),
        (0, 3, "👋 3 people left this week"),
        (0, 0, None),
    ],
)
def test_the_membership_note_gives_numbers_only(joined: int, left: int, note: str | None) -> None:
    week = content_for([counted(Kind.COMMENT, "ada", "a/b", github_id=1)])
    content = replace(week, joined=joined, left=left)

    assert membership_note(content) == note
    text = render_text(content, now=NOW)
    assert (note in text) if note else ("👋" not in text)
