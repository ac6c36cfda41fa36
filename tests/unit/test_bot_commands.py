"""What the bot understands: every question, its window, and help for everything else."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.bot.commands import NOT_UNDERSTOOD, Question, Topic, parse_question, without_leading_mention
from tracker.bot.windows import Window, WindowProblem, window_for
from tracker.periods import EN_DASH


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("", Question("help")),
        ("   ", Question("help")),
        ("help", Question("help")),
        ("week", Question("week")),
        ("WEEK", Question("week")),
        ("month", Question("month")),
        ("me", Question("me")),
        ("top", Question("top")),
        ("person fay", Question("person", "fay")),
        ("person @fay-alt", Question("person", "fay-alt")),
        ("person <@U0123ABCD|fay>", Question("mention", "U0123ABCD")),
        ("<@U0123ABCD>", Question("mention", "U0123ABCD")),
        ("<@W0123ABCD|fay>", Question("mention", "W0123ABCD")),
        ("repo vllm-project/vllm", Question("repo", "vllm-project/vllm")),
        ("repo https://github.com/huggingface/transformers/", Question("repo", "huggingface/transformers")),
        ("repo meta-llama/llama3.1_x", Question("repo", "meta-llama/llama3.1_x")),
        ("week since 2025-03-01", Question("week", since=date(2025, 3, 1))),
        (
            "person fay SINCE 2025-01-01 Until 2025-02-01",
            Question("person", "fay", date(2025, 1, 1), date(2025, 2, 1)),
        ),
        ("<@U0123ABCD> since 2025-01-01", Question("mention", "U0123ABCD", date(2025, 1, 1))),
    ],
)
def test_questions_the_bot_answers(text: str, question: Question) -> None:
    assert parse_question(text) == question


@pytest.mark.parametrize(
    "text",
    [
        "weather",
        "week please",
        "person",
        "person fay gus",
        "person <!channel>",
        "person *bold*",
        "person a&b",
        "repo vllm",
        "repo <!here>/x",
        "repo a/b/c",
        "repo owner/..",
        "@fay",
        "<!channel>",
        "<@U123ABC> <@U456DEF>",
        "since 2025-01-01",
    ],
)
def test_anything_else_is_a_request_for_help_that_echoes_nothing(text: str) -> None:
    assert parse_question(text) == Question("help", problem=NOT_UNDERSTOOD)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("week since yesterday", "`since` needs a date written YYYY-MM-DD."),
        ("week since 2025-02-30", "`since` needs a date written YYYY-MM-DD."),
        ("week since 2025-03-01 until <!channel>", "`until` needs a date written YYYY-MM-DD."),
        ("week until 2025-03-01", "`until` needs a `since` before it"),
        ("week since 2025-03-01 until", "Give a window as since YYYY-MM-DD"),
        ("week since 2025-03-01 2025-04-01", "Give a window as since YYYY-MM-DD"),
        ("week since 2025-03-01 until 2025-03-01", "`until` must be after `since`"),
    ],
)
def test_a_window_that_is_not_one_says_why_in_the_bots_words(text: str, problem: str) -> None:
    question = parse_question(text)

    assert question.topic == "help"
    assert question.problem is not None
    assert question.problem.startswith(problem)


def test_the_bots_own_mention_is_dropped_from_a_mention_but_no_other() -> None:
    assert without_leading_mention("<@UBOT123> week", "UBOT123").strip() == "week"
    assert without_leading_mention(" <@UBOT123>   person fay", "UBOT123").split() == ["person", "fay"]
    assert without_leading_mention("<@U0THER99> week", "UBOT123") == "<@U0THER99> week"
    assert without_leading_mention("week", "UBOT123") == "week"


# --- windows --------------------------------------------------------------------------------------

# Wednesday 12 March 2025, 10:00 UTC
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)


def test_week_and_month_are_the_last_complete_ones() -> None:
    week = window_for(Question("week"), NOW, "UTC")
    month = window_for(Question("month"), NOW, "UTC")

    assert (week.first_day, week.end_day, week.label) == (
        date(2025, 3, 3),
        date(2025, 3, 10),
        f"the week 3{EN_DASH}9 March 2025",
    )
    assert (month.first_day, month.end_day, month.label) == (
        date(2025, 2, 1),
        date(2025, 3, 1),
        "February 2025",
    )
    assert week.previous() == Window("week", "UTC", date(2025, 2, 24), date(2025, 3, 3))
    assert month.previous() == Window("month", "UTC", date(2025, 1, 1), date(2025, 2, 1))


@pytest.mark.parametrize("topic", ["me", "person", "mention", "repo"])
def test_people_and_repos_are_the_last_four_complete_weeks(topic: Topic) -> None:
    window = window_for(Question(topic, "x"), NOW, "UTC")

    assert (window.first_day, window.end_day) == (date(2025, 2, 10), date(2025, 3, 10))
    assert window.label == f"the last 4 weeks (10 February {EN_DASH} 9 March 2025)"
    assert window.stats_options() == "--since 2025-02-10 --until 2025-03-10"


def test_top_is_this_month_so_far_today_included() -> None:
    window = window_for(Question("top"), NOW, "UTC")

    assert (window.first_day, window.end_day) == (date(2025, 3, 1), date(2025, 3, 13))
    assert window.label == f"this month so far (1{EN_DASH}12 March 2025)"


def test_since_and_until_are_local_days_compared_with_as_many_days_before() -> None:
    question = Question("week", since=date(2025, 3, 1), until=date(2025, 3, 11))

    window = window_for(question, NOW, "Europe/Berlin")

    assert window.start == datetime(2025, 2, 28, 23, 0, tzinfo=UTC)
    assert window.end == datetime(2025, 3, 10, 23, 0, tzinfo=UTC)
    assert window.previous() == Window("days", "Europe/Berlin", date(2025, 2, 19), date(2025, 3, 1))
    assert window.stats_options() == "--since 2025-03-01 --until 2025-03-11 --timezone Europe/Berlin"
    assert window.label == f"1{EN_DASH}10 March 2025"


def test_since_alone_runs_through_today_in_the_digest_time_zone() -> None:
    late_evening = datetime(2025, 3, 12, 23, 30, tzinfo=UTC)  # already 13 March in Berlin

    window = window_for(Question("top", since=date(2025, 3, 1)), late_evening, "Europe/Berlin")

    assert window.end_day == date(2025, 3, 14)


def test_a_window_that_starts_after_today_is_a_problem() -> None:
    with pytest.raises(WindowProblem, match="from 2025-03-13 on"):
        window_for(Question("week", since=date(2025, 3, 13)), NOW, "UTC")


def test_a_week_in_another_time_zone_runs_from_local_monday_to_monday() -> None:
    week = window_for(Question("week"), NOW, "America/New_York")

    assert week.start == datetime(2025, 3, 3, 5, 0, tzinfo=UTC)
    assert week.end == datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # DST began on 9 March
