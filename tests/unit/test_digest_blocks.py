"""The digest as a Slack message: the exact Block Kit payload, privacy, escaping and Slack's limits."""

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.unit.digest_samples import NOW, content_for, counted, filler, record
from tracker.digest.blocks import SLACK_LIMITS, SlackLimits, build_message, list_sections
from tracker.digest.content import DigestContent, SyncStatus
from tracker.digest.text import ListSection, escape_mrkdwn, render_text
from tracker.domain import Kind
from tracker.openness import LicenseChange
from tracker.periods import EN_DASH

HOSTILE = [
    "<!channel> please review",
    "<@U024BE7LH> look",
    "<!here|here> and <!everyone>",
    "<https://evil.example|Totally safe link>",
    "Fish & chips > tacos",
]


def texts_of(payload: dict[str, Any]) -> Iterator[str]:
    """Every string Slack will display or parse, anywhere in the payload."""
    yield payload["text"]
    yield from _strings(payload["blocks"])


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def section_texts(payload: dict[str, Any]) -> list[str]:
    return [
        block["text"]["text"] for block in payload["blocks"] if block["type"] == "section" and "text" in block
    ]


# --- the message --------------------------------------------------------------------------------


def test_a_small_digest_renders_to_exactly_these_blocks() -> None:
    rows = [counted(Kind.PR_MERGED, "ada", "org/repo", github_id=7, title="Add & test")]
    content = content_for(rows, previous=[counted(Kind.COMMENT, "ada", "org/repo", github_id=1)])

    payload = build_message(content, now=NOW).payload()

    dash = EN_DASH
    assert payload["text"] == (
        f"acme · open-source AI · 3{dash}9 March 2025: This week acme gave 1 contribution "
        "to 1 open-source AI project, from 1 person."
    )
    assert payload["unfurl_links"] is False
    assert [block["type"] for block in payload["blocks"]] == [
        "header",
        "section",
        "section",
        "context",
        "section",
        "divider",
        "section",
        "section",
        "section",
        "section",
        "divider",
        "context",
    ]
    assert payload["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"acme · open-source AI · 3{dash}9 March 2025", "emoji": True},
    }
    assert payload["blocks"][2]["fields"][0] == {
        "type": "mrkdwn",
        "text": "*PRs merged*\n1   ▲ 1",
        "verbatim": True,
    }
    assert payload["blocks"][2]["fields"][4]["text"] == "*Comments*\n0   ▼ 1"
    assert payload["blocks"][2]["fields"][5]["text"] == "*Contributors*\n1   —"
    assert section_texts(payload)[1:] == [
        "🔓 *100%* of this week's contributions went to projects under an OSI-approved license.",
        "*Where it went*\n• <https://github.com/org/repo|org/repo> · 1",
        "*Who gave this week*\n• ada · 1",
        "*Highlights: merged PRs*\n• <https://github.com/org/repo/pull/7|Add &amp; test> · org/repo #7 · ada",
        f"*Last 2 weeks*  `██`  1 → 1 (24 Feb {dash} 3 Mar)",
    ]
    footer = payload["blocks"][-1]["elements"][0]["text"]
    assert footer == "Data as of the last successful sync, which ended Mon 10 Mar 2025, 07:00 CET."


def test_the_headline_reads_as_a_sentence() -> None:
    rows = [
        counted(Kind.PR_MERGED, "ada", "org/one", github_id=1),
        counted(Kind.REVIEW, "bob", "org/two", github_id=2),
    ]

    payload = build_message(content_for(rows), now=NOW).payload()

    assert section_texts(payload)[0] == (
        "This week *acme* gave *2 contributions* to *2 open-source AI projects*, from *2 people*."
    )


def test_repos_not_under_an_osi_license_carry_a_marker() -> None:
    rows = [
        counted(Kind.COMMENT, "ada", "org/osi", github_id=1),
        counted(Kind.COMMENT, "ada", "org/nc", github_id=2),
        counted(Kind.COMMENT, "ada", "org/bare", github_id=3),
        counted(Kind.COMMENT, "ada", "org/odd", github_id=4),
    ]
    repos = {
        "org/osi": record("org/osi", "MIT"),
        "org/nc": record("org/nc", "CC-BY-NC-4.0"),
        "org/bare": record("org/bare", None),
        "org/odd": record("org/odd", "NOASSERTION"),
    }

    text = "\n".join(section_texts(build_message(content_for(rows, repos=repos), now=NOW).payload()))

    assert "<https://github.com/org/osi|org/osi> · 1\n" in text
    assert "org/nc> · 1 · `non-OSI license`" in text
    assert "org/bare> · 1 · `no license`" in text
    assert "org/odd> · 1 · `unidentified license`" in text
    assert "*25%* of this week's contributions" in text


def test_a_license_change_is_mentioned() -> None:
    rows = [counted(Kind.COMMENT, "ada", "org/repo", github_id=1)]
    change = LicenseChange("org/repo", "Apache-2.0", "BUSL-1.1", datetime(2025, 3, 5, 23, 30, tzinfo=UTC))

    text = section_texts(build_message(content_for(rows, changes=[change]), now=NOW).payload())[1]

    assert "📜 License change: *org/repo* went from `Apache-2.0` to `BUSL-1.1` (seen 6 Mar)." in text


def test_the_trend_is_a_sparkline_of_eight_periods() -> None:
    rows = [counted(Kind.COMMENT, "ada", "org/repo", github_id=index) for index in range(8)]

    content = content_for(rows, previous=rows[:4], trend=[2, 0, 1, 3, 6, 8])
    text = section_texts(build_message(content, now=NOW).payload())[-1]

    assert text == f"*Last 8 weeks*  `▃▁▂▄▆█▅█`  2 → 8 (13 Jan {EN_DASH} 3 Mar)"


def test_freshness_warnings_in_the_footer() -> None:
    rows = [counted(Kind.COMMENT, "ada", "org/repo", github_id=1)]
    old = SyncStatus(NOW - timedelta(days=3), "failed", NOW - timedelta(hours=1))

    footer = build_message(content_for(rows, sync=old), now=NOW).payload()["blocks"][-1]

    assert footer["elements"][0]["text"].splitlines() == [
        "Data as of the last successful sync, which ended Fri 7 Mar 2025, 09:00 CET.",
        "⚠️ The last sync failed: run `tracker sync` and check its log.",
        "⚠️ That sync is 3 days old; newer work is missing.",
    ]


def test_no_sync_at_all_is_said_plainly() -> None:
    footer = build_message(content_for([], sync=SyncStatus(None, None, None)), now=NOW).payload()["blocks"][
        -1
    ]

    assert footer["elements"][0]["text"].startswith("⚠️ No sync has completed yet")


# --- the empty week -----------------------------------------------------------------------------


def test_an_empty_week_gets_a_short_friendly_message() -> None:
    payload = build_message(content_for([]), now=NOW).payload()

    assert [block["type"] for block in payload["blocks"]] == ["header", "section", "divider", "context"]
    assert section_texts(payload) == [
        "🌱 A quiet week: no counted contributions from *acme* to open-source AI projects this time. "
        "See you next week!"
    ]
    assert "A quiet week" in payload["text"]


def test_an_empty_week_still_shows_the_trend_when_there_was_activity() -> None:
    payload = build_message(content_for([], previous=filler(3)), now=NOW).payload()

    assert section_texts(payload)[-1].startswith("*Last 2 weeks*  `█▁`")


# --- privacy ------------------------------------------------------------------------------------


def test_a_private_person_is_counted_but_never_named() -> None:
    rows = [
        counted(
            Kind.PR_MERGED, "carol", "org/repo", github_id=1, public=False, title="Carol's work", team="Infra"
        ),
        counted(Kind.PR_MERGED, "ada", "org/repo", github_id=2, team="Infra"),
    ]
    content = content_for(rows, names={"carol": "Carol Secret"})

    payload = json.dumps(build_message(content, now=NOW).payload(), ensure_ascii=False)
    text = render_text(content, now=NOW)

    for rendering in (payload, text):
        assert "carol" not in rendering.lower()
        assert "Carol's work" not in rendering
        assert "pull/1" not in rendering
        assert "2 contributions" in rendering
    assert "*Who gave this week*\\n• ada · 1\\n_and 1 more_" in payload
    assert "Infra · 2 from 2 people" in text


# --- untrusted text -----------------------------------------------------------------------------


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_ping_nobody_and_link_nowhere(title: str) -> None:
    rows = [counted(Kind.PR_MERGED, "ada", "org/repo", github_id=1, title=title)]

    payload = build_message(content_for(rows), now=NOW).payload()

    everything = "\n".join(texts_of(payload))
    assert "<!" not in everything
    assert "<@" not in everything
    assert "<https://evil" not in everything
    assert escape_mrkdwn(title) in everything


def test_hostile_logins_names_repos_and_org_are_escaped_too() -> None:
    repo = "<!channel>/<@U1>"
    rows = [counted(Kind.PR_MERGED, "<@U024BE7LH>", repo, github_id=1, title="ok")]
    content = content_for(
        rows,
        repos={repo.lower(): record(repo)},
        org="<!everyone>",
        names={"<@u024be7lh>": "<https://evil.example|Boss>"},
    )

    payload = build_message(content, now=NOW).payload()

    assert payload["blocks"][0]["text"]["type"] == "plain_text"  # never parsed for mentions
    for text in [payload["text"], *_strings(payload["blocks"][1:])]:
        assert re.search(r"<(?!https://github\.com/)", text) is None, text
    assert "&lt;!channel&gt;/&lt;@U1&gt;" in json.dumps(payload)


def test_every_mrkdwn_text_is_verbatim() -> None:
    rows = [counted(Kind.PR_MERGED, "ada", "org/repo", github_id=1, title="#general @here")]

    payload = build_message(content_for(rows), now=NOW).payload()

    objects = [value for value in _objects(payload["blocks"]) if value.get("type") == "mrkdwn"]
    assert objects
    assert all(value["verbatim"] is True for value in objects)


def _objects(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


# --- Slack's limits -----------------------------------------------------------------------------


def busy_week(people: int = 60, merges: int = 400) -> DigestContent:
    long_title = "<b>&" * 64  # 256 characters of the worst kind: every one is escaped
    rows = [
        counted(
            Kind.PR_MERGED,
            f"person-{index % people:03}",
            f"org-{index % 40:02}/{'r' * 90}",
            github_id=index,
            title=long_title,
            team=f"team-{index % 25}",
        )
        for index in range(merges)
    ]
    return content_for(rows, org="a-very-long-organization-name-" * 6, highlights=50)


def test_a_busy_week_respects_every_slack_limit_and_says_what_it_left_out() -> None:
    content = busy_week()

    payload = build_message(content, now=NOW).payload()

    blocks = payload["blocks"]
    assert len(blocks) <= SLACK_LIMITS.blocks
    assert len(blocks[0]["text"]["text"]) == SLACK_LIMITS.header_chars
    assert blocks[0]["text"]["text"].endswith("…")
    assert all(len(text) <= SLACK_LIMITS.section_chars for text in section_texts(payload))
    assert len(payload["text"]) <= SLACK_LIMITS.fallback_chars
    highlights = [text for text in section_texts(payload) if "/pull/" in text and "→" not in text]
    shown = sum(text.count("\n• ") + text.startswith("• ") for text in highlights)
    assert len(highlights) > 1  # 50 highlights are more than one section can hold
    assert shown == 50
    assert highlights[-1].endswith("_and 350 more_")


def test_a_flood_of_license_changes_is_cut_short() -> None:
    rows = [counted(Kind.COMMENT, "ada", "org/repo", github_id=1)]
    moment = datetime(2025, 3, 5, tzinfo=UTC)
    changes = [LicenseChange(f"org/repo-{index}", "MIT", "BUSL-1.1", moment) for index in range(200)]

    openness = section_texts(build_message(content_for(rows, changes=changes), now=NOW).payload())[1]

    assert len(openness) <= SLACK_LIMITS.section_chars
    assert openness.startswith("🔓 *100%*")
    shown = openness.count("📜")
    assert openness.endswith(f"_and {200 - shown} more_")


def test_lists_are_cut_to_the_block_budget() -> None:
    limits = SlackLimits(blocks=14)

    payload = build_message(busy_week(), now=NOW, limits=limits).payload()

    assert len(payload["blocks"]) <= 14
    assert payload["blocks"][-1]["type"] == "context"
    assert "more_" in section_texts(payload)[-2]


def test_list_sections_pack_whole_lines_and_count_what_is_left() -> None:
    lines = [f"• line {index:02} " + "x" * 30 for index in range(10)]

    texts = list_sections(ListSection("*Title*", lines, more=5), max_blocks=2, max_chars=120)

    assert len(texts) == 2
    assert all(len(text) <= 120 for text in texts)
    shown = sum(text.count("• line") for text in texts)
    assert texts[-1].endswith(f"_and {10 - shown + 5} more_")
    assert texts[0].startswith("*Title*\n• line 00")


def test_a_line_too_long_for_any_section_is_left_out_not_cut() -> None:
    texts = list_sections(ListSection("*T*", ["• ok", "• " + "x" * 500], more=0), max_blocks=3, max_chars=100)

    assert texts == ["*T*\n• ok\n_and 1 more_"]


def test_people_who_joined_or_left_are_a_number_beside_the_comparison_never_names() -> None:
    content = replace(content_for([counted(Kind.COMMENT, "ada", "a/b", github_id=1)]), joined=2, left=1)

    payload = build_message(content, now=NOW).payload()

    contexts = [block for block in payload["blocks"] if block["type"] == "context"]
    assert "👋 2 people joined and 1 left this week" in contexts[0]["elements"][0]["text"]
    assert "▲ ▼ against the previous week" in contexts[0]["elements"][0]["text"]
