"""The bot's answers as Block Kit: escaping, no pings, privacy marks and Slack's limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tracker.bot.answers import (
    BotAnswer,
    Footer,
    help_answer,
    invocation,
    not_tracked_answer,
    org_answer,
    person_answer,
    repo_answer,
    top_answer,
    unmatched_answer,
)
from tracker.bot.numbers import OrgNumbers, PersonNumbers, RepoNumbers, TopRepos
from tracker.bot.windows import Window
from tracker.digest.content import Listing, PeriodSummary, PersonLine, RepoLine
from tracker.domain import CountedContribution, Kind
from tracker.openness import LicenseClass
from tracker.periods import EN_DASH
from tracker.reports import StatsRow
from tracker.rules import Person

HOSTILE = "<!channel> *bold* <@U123> & <https://evil.example|click> >"
WEEK = Window("week", "UTC", date(2025, 3, 3), date(2025, 3, 10))
DAYS = Window("days", "UTC", date(2025, 2, 10), date(2025, 3, 10), name="the last 4 weeks")
FOOTER = Footer(datetime(2025, 3, 10, 6, 0, tzinfo=UTC), "UTC")


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def everything(answer: BotAnswer) -> str:
    return "\n".join(strings(answer.payload()))


def assert_pings_nobody(answer: BotAnswer) -> None:
    shown = everything(answer)
    for ping in ("<!", "<@", "<#", "<https://evil"):
        assert ping not in shown
    for block in answer.payload()["blocks"]:
        for text in _mrkdwn_objects(block):
            assert text["verbatim"] is True


def _mrkdwn_objects(value: object) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value
        for item in value.values():
            yield from _mrkdwn_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mrkdwn_objects(item)


def summary(total: int = 0, **kinds: int) -> PeriodSummary:
    by_kind = {kind: kinds.get(kind.value, 0) for kind in Kind}
    return PeriodSummary(total or sum(by_kind.values()), by_kind, contributors=2, repos=1)


def person(
    login: str = "ada", *, name: str | None = None, team: str | None = None, public: bool = True
) -> Person:
    return Person(login, name, team, public, None, None, (), "roster")


def merged(title: str, repo: str = "org/repo") -> CountedContribution:
    return CountedContribution(
        Kind.PR_MERGED, 1, "ada", None, True, repo, 7, title, f"https://github.com/{repo}/pull/7",
        datetime(2025, 3, 4, tzinfo=UTC),
    )  # fmt: skip


def person_numbers(who: Person, *, repo: str = "org/repo", title: str = "Fix") -> PersonNumbers:
    row = StatsRow(repo, {kind: 1 if kind is Kind.PR_MERGED else 0 for kind in Kind})
    return PersonNumbers(
        who, DAYS, summary(pr_merged=1), [row], {repo: f"https://github.com/{repo}"}, [merged(title, repo)]
    )


# --- numbers --------------------------------------------------------------------------------------


def test_the_org_answer_shows_each_number_with_its_change_and_the_same_stats_command() -> None:
    numbers = OrgNumbers(WEEK, WEEK.previous(), summary(pr_merged=4, comment=2), summary(pr_merged=1))

    payload = org_answer("acme", numbers, FOOTER).payload()

    fields = [field["text"] for field in payload["blocks"][1]["fields"]]
    assert fields[0] == "*PRs merged*\n4   ▲ 3"
    assert "*Comments*\n2   ▲ 2" in fields
    assert "*Reviews*\n0   —" in fields
    assert (
        payload["blocks"][2]["elements"][0]["text"]
        == f"▲ ▼ against the week 24 February {EN_DASH} 2 March 2025"
    )
    footer = payload["blocks"][-1]["elements"][0]["text"]
    assert "`tracker stats --by kind --since 2025-03-03 --until 2025-03-10`" in footer
    assert "Data as of the last sync, which ended Mon 10 Mar 2025, 06:00 UTC." in footer
    assert (
        payload["text"]
        == f"In the week 3{EN_DASH}9 March 2025 acme gave 6 contributions to 1 open-source AI project, "
        "from 2 people."
    )


def test_a_quiet_window_says_so_in_one_sentence() -> None:
    numbers = OrgNumbers(WEEK, WEEK.previous(), summary(), summary())

    answer = org_answer("acme", numbers, FOOTER)

    assert (
        answer.text == "No counted contributions from acme to open-source AI projects "
        f"in the week 3{EN_DASH}9 March 2025."
    )
    assert [block["type"] for block in answer.payload()["blocks"]] == ["section", "context"]


def test_hostile_names_teams_titles_and_repos_ping_nobody() -> None:
    who = person("ada", name=HOSTILE, team=HOSTILE)
    answer = person_answer(person_numbers(who, repo="a/<!here>", title=HOSTILE), FOOTER, to_self=False)

    assert_pings_nobody(answer)
    assert (
        "&lt;!channel&gt; *bold* &lt;@U123&gt; &amp; &lt;https://evil.example|click&gt; &gt;"
        in everything(answer)
    )


def test_hostile_repo_answers_and_top_lists_ping_nobody() -> None:
    people = Listing((PersonLine("ada", HOSTILE, 3),), more=1)
    repo = RepoNumbers("a/<!here>", True, DAYS, summary(pr_merged=3), people, [merged(HOSTILE)])
    top = TopRepos(
        DAYS, summary(comment=3), Listing((RepoLine(HOSTILE, "javascript:alert(1)", 3, LicenseClass.NONE),))
    )

    for answer in (repo_answer("acme", repo, FOOTER), top_answer("acme", top, FOOTER)):
        assert_pings_nobody(answer)
        assert "javascript:" not in everything(answer)


def test_the_repo_answer_folds_whoever_is_not_named_into_and_n_more() -> None:
    people = Listing((PersonLine("ada", "Ada Lovelace", 3),), more=1)
    numbers = RepoNumbers("org/repo", True, DAYS, summary(pr_merged=4), people, [])

    texts = [
        block["text"]["text"]
        for block in repo_answer("acme", numbers, FOOTER).payload()["blocks"]
        if "text" in block
    ]

    assert "*Who gave*\n• Ada Lovelace (ada) · 3\n_and 1 more_" in texts


def test_a_repo_that_does_not_count_is_said_so() -> None:
    numbers = RepoNumbers("someone/thing", False, DAYS, summary(), Listing(()), [])

    answer = repo_answer("acme", numbers, FOOTER)

    assert "is not among the repos the tracker counts" in answer.text
    assert "*someone/thing*" in answer.text


def test_a_private_persons_answer_is_marked_private_and_says_who_sees_it() -> None:
    answer = person_answer(person_numbers(person("carol", public=False)), FOOTER, to_self=True)

    assert answer.private is True
    assert "🔒 Only you see this: your roster entry is not public." in everything(answer)
    assert person_answer(person_numbers(person("ada")), FOOTER, to_self=False).private is False


def test_a_person_answer_lists_repos_by_kind_and_merged_prs_with_links() -> None:
    answer = person_answer(
        person_numbers(person("ada", name="Ada Lovelace", team="Research")), FOOTER, to_self=False
    )

    shown = everything(answer)
    assert "*Ada Lovelace (ada)* · Research" in shown
    assert "• <https://github.com/org/repo|org/repo> · 1: 1 PR merged" in shown
    assert "• <https://github.com/org/repo/pull/7|Fix> · org/repo #7" in shown
    assert "`tracker stats --by repo --login ada --since 2025-02-10 --until 2025-03-10`" in shown


def test_sections_and_fields_stay_within_slacks_limits() -> None:
    rows = [StatsRow(f"org/{'x' * 90}{index}", {kind: 1 for kind in Kind}) for index in range(40)]
    titles = [merged("t" * 500) for _ in range(5)]
    numbers = PersonNumbers(person(name="n" * 500), DAYS, summary(comment=200), rows, {}, titles)

    payload = person_answer(numbers, FOOTER, to_self=False).payload()

    assert len(payload["blocks"]) <= 50
    for block in payload["blocks"]:
        assert len(block.get("fields", [])) <= 10
        assert len(block.get("text", {}).get("text", "")) <= 3000
    assert "_and 30 more_" in json.dumps(payload)


# --- answers without numbers ----------------------------------------------------------------------


def test_help_lists_every_question_under_the_command_it_was_installed_as() -> None:
    shown = everything(help_answer("acme", invocation("/tracker")))

    for question in ("week", "month", "me", "person LOGIN", "@someone", "repo OWNER/NAME", "top"):
        assert f"/tracker {question}" in shown
    assert "since YYYY-MM-DD" in shown


@pytest.mark.parametrize("command", [None, "", "<!channel>", "/Contrib", "contrib", "/" + "x" * 40])
def test_a_command_name_that_is_not_one_is_shown_as_contrib(command: str | None) -> None:
    assert invocation(command) == "/contrib"


def test_someone_not_tracked_and_someone_private_get_the_same_words() -> None:
    assert not_tracked_answer("carol").text == "`carol` is not tracked, or keeps their numbers private."
    assert not_tracked_answer(None).text == "That person is not tracked, or keeps their numbers private."


def test_an_unmatched_asker_learns_how_to_be_matched_without_an_echo_of_a_forged_id() -> None:
    assert "(`U0123ABCD`) as `slack`" in unmatched_answer("U0123ABCD").text
    assert_pings_nobody(unmatched_answer("<!channel>"))
    assert "channel" not in unmatched_answer("<!channel>").text
