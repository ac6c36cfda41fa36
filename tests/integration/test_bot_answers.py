"""The bot's numbers are `tracker stats`'s numbers, for every question and window; and its privacy
and roster rules, on a database filled through the store code."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.integration import bot_world as bot
from tracker.bot.ask import answer_question
from tracker.config import Settings, load_settings
from tracker.periods import EN_DASH

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(tmp_path: Path, database_url: str, engine: Engine) -> Settings:
    return bot.filled(tmp_path, database_url, engine)


def by_kind(rows: bot.Stats) -> dict[str, int]:
    return {label: rows[kind]["total"] if kind in rows else 0 for label, kind in bot.KIND_FIELDS.items()}


def test_week_equals_stats_number_for_number(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = bot.ask(engine, settings, "week")

    window = ["--since", "2025-03-03", "--until", "2025-03-10"]
    expected = by_kind(bot.stats(capsys, settings, "kind", *window))
    expected["Contributors"] = len(bot.stats(capsys, settings, "login", *window))
    expected["Projects"] = len(bot.stats(capsys, settings, "repo", *window))
    assert bot.fields(answer) == expected == {
        "PRs merged": 4, "PRs opened": 1, "Reviews": 2, "Issues opened": 1, "Comments": 2,
        "Contributors": 4, "Projects": 4,
    }  # fmt: skip
    assert answer.text == (
        f"In the week 3{EN_DASH}9 March 2025 acme gave 10 contributions to 4 open-source AI projects, "
        "from 4 people."
    )


def test_week_changes_are_against_the_week_before_as_stats_counts_it(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = bot.ask(engine, settings, "week")

    now = by_kind(bot.stats(capsys, settings, "kind", "--since", "2025-03-03", "--until", "2025-03-10"))
    before = by_kind(bot.stats(capsys, settings, "kind", "--since", "2025-02-24", "--until", "2025-03-03"))
    shown = bot.changes(answer)
    assert {label: shown[label] for label in now} == {label: now[label] - before[label] for label in now}
    assert shown["PRs merged"] == 3
    assert shown["Contributors"] == 4 - 2


@pytest.mark.parametrize(
    ("question", "options"),
    [
        ("month", ["--since", "2025-02-01", "--until", "2025-03-01"]),
        ("week since 2025-03-05 until 2025-03-09", ["--since", "2025-03-05", "--until", "2025-03-09"]),
        ("month since 2025-01-01", ["--since", "2025-01-01", "--until", "2025-03-13"]),
    ],
)
def test_other_windows_equal_stats_over_the_same_days(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str], question: str, options: list[str]
) -> None:
    answer = bot.ask(engine, settings, question)

    expected = by_kind(bot.stats(capsys, settings, "kind", *options))
    assert {label: count for label, count in bot.fields(answer).items() if label in expected} == expected
    assert f"`tracker stats --by kind {' '.join(options)}`" in str(answer.payload())


def test_a_window_in_the_digest_time_zone_equals_stats_in_that_zone(
    tmp_path: Path, database_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = bot.filled(tmp_path, database_url, engine, timezone="America/Los_Angeles")

    answer = bot.ask(engine, settings, "week")  # Monday 3 March 08:00 UTC to Monday 10 March 07:00 UTC

    options = ["--since", "2025-03-03", "--until", "2025-03-10", "--timezone", "America/Los_Angeles"]
    expected = by_kind(bot.stats(capsys, settings, "kind", *options))
    assert {label: n for label, n in bot.fields(answer).items() if label in expected} == expected
    assert expected["PRs opened"] == 0  # ada's PR opened at 00:00 UTC on 3 March is the week before here


def test_me_is_the_askers_last_four_weeks_by_repo_as_stats_counts_them(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = bot.ask(engine, settings, "me", bot.ADA)

    options = ["--login", "ada", "--since", "2025-02-10", "--until", "2025-03-10"]
    expected = bot.stats(capsys, settings, "repo", *options)
    assert bot.listed(answer, "Where it went") == bot.stats_totals(expected)
    assert bot.fields(answer) == by_kind(bot.stats(capsys, settings, "kind", *options))
    assert "Ada Lovelace (ada)" in answer.text


@pytest.mark.parametrize("login", ["bob", "erin-work", "ERIN"])
def test_person_counts_every_login_of_the_person_as_stats_does(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str], login: str
) -> None:
    answer = bot.ask(engine, settings, f"person {login}")

    expected = bot.stats(
        capsys, settings, "repo", "--login", login, "--since", "2025-02-10", "--until", "2025-03-10"
    )
    assert bot.listed(answer, "Where it went") == bot.stats_totals(expected)
    assert bot.listed(answer, "Where it went")


def test_repo_lists_the_public_people_as_stats_counts_them(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = bot.ask(engine, settings, "repo meta-llama/llama3 since 2025-03-01")

    expected = bot.stats(
        capsys,
        settings,
        "login",
        "--repo",
        "meta-llama/llama3",
        "--since",
        "2025-03-01",
        "--until",
        "2025-03-13",
    )
    assert set(expected) == {"carol"}
    assert bot.listed(answer, "Who gave") == {}
    assert "_and 1 more_" in str(answer.payload())
    assert bot.fields(answer)["PRs merged"] == expected["carol"]["pr_merged"] == 1
    assert "Carol" not in str(answer.payload()) and "carol" not in str(answer.payload())


def test_repo_names_people_and_merges_as_stats_counts_them(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = bot.ask(engine, settings, "repo HuggingFace/Transformers")

    options = ["--repo", "huggingface/transformers", "--since", "2025-02-10", "--until", "2025-03-10"]
    assert bot.listed(answer, "Who gave") == {
        "Ada Lovelace (ada)" if login == "ada" else login: total
        for login, total in bot.stats_totals(bot.stats(capsys, settings, "login", *options)).items()
    }
    assert answer.text.startswith("huggingface/transformers: ")


def test_top_is_this_months_repos_as_stats_counts_them(
    settings: Settings, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = bot.ask(engine, settings, "top")

    expected = bot.stats(capsys, settings, "repo", "--since", "2025-03-01", "--until", "2025-03-13")
    assert bot.listed(answer, "Where acme gave most") == bot.stats_totals(expected)


# --- privacy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["person carol", "<@U0CAROL01>", "person <@U0CAROL01|carol>"])
def test_a_private_persons_numbers_are_not_shown_to_anyone_else(
    settings: Settings, engine: Engine, question: str
) -> None:
    answer = bot.ask(engine, settings, question, bot.ADA)

    assert "is not tracked, or keeps their numbers private" in answer.text
    assert "Carol" not in str(answer.payload())
    assert answer.private is False


@pytest.mark.parametrize("question", ["me", "person carol", "<@U0CAROL01>"])
def test_a_private_person_sees_their_own_numbers_marked_private(
    settings: Settings, engine: Engine, question: str
) -> None:
    answer = bot.ask(engine, settings, question, bot.CAROL)

    assert answer.private is True
    assert bot.fields(answer)["PRs merged"] == 1
    assert "Only you see this" in str(answer.payload())


def test_not_tracked_and_private_read_the_same(settings: Settings, engine: Engine) -> None:
    private = bot.ask(engine, settings, "person carol", bot.ADA)
    unknown = bot.ask(engine, settings, "person zed", bot.ADA)

    assert private.text.replace("carol", "zed") == unknown.text


# --- who asks -------------------------------------------------------------------------------------


def test_the_asker_is_matched_by_member_id_without_asking_slack(settings: Settings, engine: Engine) -> None:
    asked: list[str] = []

    answer = answer_question(engine, settings, "me", bot.asker(bot.ADA, asked=asked), bot.NOW)

    assert "Ada Lovelace (ada)" in answer.text
    assert asked == []


def test_the_asker_is_matched_by_their_slack_email_ignoring_case(settings: Settings, engine: Engine) -> None:
    asked: list[str] = []

    answer = answer_question(engine, settings, "me", bot.asker(bot.BOB, asked=asked), bot.NOW)

    assert answer.text.startswith("bob:")
    assert asked == [bot.BOB]


@pytest.mark.parametrize("user", [bot.ERIN, bot.STRANGER])
def test_an_unmatched_asker_is_told_how_to_be_matched(settings: Settings, engine: Engine, user: str) -> None:
    answer = bot.ask(engine, settings, "me", user)

    assert answer.text.startswith("I do not know which GitHub account is yours")
    assert f"(`{user}`) as `slack`" in answer.text


def test_a_mention_is_mapped_through_the_roster(settings: Settings, engine: Engine) -> None:
    assert bot.ask(engine, settings, "<@U0BOB0001>").text.startswith("bob:")
    assert bot.ask(engine, settings, "<@U0ERIN001>").text.startswith("That person is not tracked")


def test_a_never_synced_database_says_so(tmp_path: Path, database_url: str, engine: Engine) -> None:
    settings = load_settings(bot.write_config(tmp_path, database_url))

    for question in ("week", "me", "top", "repo a/b"):
        assert bot.ask(engine, settings, question).text.startswith("No sync has completed yet")
    assert bot.ask(engine, settings, "help").text.startswith("What I can answer")


def test_a_stored_hostile_title_pings_nobody(settings: Settings, engine: Engine) -> None:
    answer = bot.ask(engine, settings, "me", bot.ADA)

    shown = str(answer.payload())
    assert "Fix &lt;!channel&gt; tokenizer" in shown
    assert "<!channel>" not in shown
