"""The counting contract, one rule at a time, on plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.domain import Contribution, Kind
from tracker.membership import WHOLE_HISTORY, Interval, MemberAccount, MembershipSource
from tracker.rules import (
    CountingContext,
    RepoDecision,
    RepoFacts,
    RepoRules,
    RosterEntry,
    build_people,
    count_contribution,
    decide_repo,
    is_bot,
    matches_pattern,
    people_by_login,
    pull_request_merge,
    uncounted_members,
    within_window,
)

AT = datetime(2026, 10, 1, 12, tzinfo=UTC)
JOINED = datetime(2026, 11, 2, 9, tzinfo=UTC)
LEFT = datetime(2026, 11, 20, 9, tzinfo=UTC)


def account(
    login: str,
    user_type: str = "User",
    intervals: tuple[Interval, ...] = WHOLE_HISTORY,
    former_logins: tuple[str, ...] = (),
) -> MemberAccount:
    """An account some listing showed as a member, a member for the whole history by default."""
    return MemberAccount(login, None, user_type, intervals, former_logins)


def logins(people: list) -> list[str]:  # type: ignore[type-arg]
    return [person.login for person in people]


# People -------------------------------------------------------------------------------------


def test_org_members_are_people() -> None:
    assert logins(build_people([account("fay"), account("gus")], [])) == ["fay", "gus"]


def test_a_member_of_type_bot_is_not_a_person() -> None:
    assert logins(build_people([account("fay"), account("acme-ci", "Bot")], [])) == ["fay"]


def test_a_login_ending_in_bot_suffix_is_not_a_person_whatever_its_type() -> None:
    assert logins(build_people([account("release[bot]")], [RosterEntry("helper[bot]")])) == []


def test_excluded_logins_never_count_case_insensitively() -> None:
    people = build_people(
        [account("Fay"), account("ghost-bot")], [RosterEntry("ivy")], exclude=["GHOST-BOT", "ivy"]
    )
    assert logins(people) == ["Fay"]


def test_roster_adds_people_who_are_not_public_members() -> None:
    people = build_people([account("fay")], [RosterEntry("ivy", team="Training")])
    assert [(p.login, p.source, p.team) for p in people] == [
        ("fay", MembershipSource.OBSERVED, None),
        ("ivy", MembershipSource.ROSTER, "Training"),
    ]


def test_roster_details_apply_to_a_member_of_the_same_login() -> None:
    people = build_people([account("FAY")], [RosterEntry("fay", name="Fay", team="Inference")])
    assert [(p.login, p.name, p.team, p.source) for p in people] == [
        ("fay", "Fay", "Inference", MembershipSource.ROSTER)
    ]


def test_aliases_map_to_the_primary_login() -> None:
    people = build_people([account("fay")], [RosterEntry("fay", aliases=("fay-alt", "Fay-Work"))])
    by_login = people_by_login(people)
    assert by_login["fay-alt"].login == "fay"
    assert by_login["fay-work"].login == "fay"


def test_an_alias_that_is_also_a_member_is_not_a_second_person() -> None:
    people = build_people([account("fay"), account("fay-alt")], [RosterEntry("fay", aliases=("fay-alt",))])
    assert logins(people) == ["fay"]


def test_roster_window_becomes_utc_midnights() -> None:
    (person,) = build_people([], [RosterEntry("ivy", since=date(2024, 1, 1), until=date(2026, 10, 29))])
    assert person.membership == (
        Interval(datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 10, 29, tzinfo=UTC)),
    )


# Membership over time -----------------------------------------------------------------------


def test_an_observed_member_counts_within_their_observed_intervals() -> None:
    (person,) = build_people([account("fay", intervals=(Interval(JOINED, LEFT),))], [])

    assert person.source is MembershipSource.OBSERVED
    assert [within_window(person, moment) for moment in (AT, JOINED, LEFT - timedelta(seconds=1), LEFT)] == [
        False,
        True,
        True,
        False,
    ]


def test_a_member_who_left_stays_a_person_so_their_history_keeps_counting() -> None:
    people = build_people([account("fay", intervals=(Interval(None, LEFT),))], [])

    assert logins(people) == ["fay"]
    assert within_window(people[0], AT)


def test_the_roster_replaces_the_observed_intervals_of_the_same_login() -> None:
    observed = account("FAY", intervals=(Interval(JOINED),))

    (person,) = build_people([observed], [RosterEntry("fay", since=date(2024, 1, 1))])

    assert person.source is MembershipSource.ROSTER
    assert person.membership == (Interval(datetime(2024, 1, 1, tzinfo=UTC)),)
    assert within_window(person, AT)


def test_a_roster_entry_without_dates_counts_the_whole_history_whatever_was_observed() -> None:
    observed = account("fay", intervals=(Interval(JOINED, LEFT),))

    (person,) = build_people([observed], [RosterEntry("fay", team="Inference")])

    assert person.membership == WHOLE_HISTORY
    assert within_window(person, AT) and within_window(person, LEFT)


def test_an_alias_that_is_an_observed_member_folds_into_the_roster_person_and_the_roster_wins() -> None:
    people = build_people(
        [account("fay"), account("Fay-Alt", intervals=(Interval(JOINED),))],
        [RosterEntry("fay", aliases=("fay-alt",), until=date(2026, 10, 29))],
    )

    (person,) = people
    assert (person.login, person.aliases) == ("fay", ("fay-alt",))
    assert person.membership == (Interval(None, datetime(2026, 10, 29, tzinfo=UTC)),)
    assert people_by_login(people)["fay-alt"] is person


def test_a_renamed_members_former_logins_still_count_but_are_not_followed() -> None:
    (person,) = build_people([account("fay-new", former_logins=("fay",))], [])

    assert person.current_logins == ("fay-new",)
    assert person.logins == ("fay-new", "fay")
    assert people_by_login([person])["fay"] is person


def test_a_roster_person_whose_account_was_renamed_follows_its_new_login() -> None:
    (person,) = build_people([account("fay-new", former_logins=("fay",))], [RosterEntry("fay")])

    assert (person.login, person.aliases, person.former_logins) == ("fay", ("fay-new",), ())


def test_a_former_login_given_to_someone_else_is_theirs() -> None:
    people = build_people([account("fay-new", former_logins=("fay",)), account("fay")], [])

    assert people_by_login(people)["fay"].login == "fay"
    assert people_by_login(people)["fay-new"].former_logins == ()


def test_two_accounts_that_had_the_same_login_are_one_login_member_in_either_interval() -> None:
    people = build_people(
        [
            account("fay", intervals=(Interval(None, JOINED),)),
            account("fay", intervals=(Interval(LEFT),)),
        ],
        [],
    )

    (person,) = people
    assert within_window(person, AT) and within_window(person, LEFT)
    assert not within_window(person, JOINED)


def test_uncounted_members_are_todays_bots_excluded_and_orphaned_aliases() -> None:
    accounts = [
        account("fay"),
        account("acme-ci", "Bot"),
        account("hal"),
        account("gone-bot", "Bot", intervals=(Interval(None, JOINED),)),
        account("ivy-alt"),
    ]
    roster = [RosterEntry("ivy", aliases=("ivy-alt",))]
    people = build_people(accounts, roster, exclude=["hal", "ivy"])

    assert [(m.login, m.reason) for m in uncounted_members(accounts, people, ["hal", "ivy"])] == [
        ("acme-ci", "bot"),
        ("hal", "excluded"),
        ("ivy-alt", "alias"),
    ]


@pytest.mark.parametrize(
    ("login", "user_type", "expected"),
    [
        ("dependabot[bot]", "Bot", True),
        ("renovate[bot]", None, True),
        ("acme-ci", "Bot", True),
        ("fay", "User", False),
    ],
)
def test_is_bot(login: str, user_type: str | None, expected: bool) -> None:
    assert is_bot(login, user_type) is expected


# Repos --------------------------------------------------------------------------------------

RULES = RepoRules(
    include=("huggingface/*", "pytorch/pytorch"),
    topics=("llm", "machine-learning"),
    exclude=("huggingface/blog",),
)


def test_exact_include_matches_case_insensitively() -> None:
    assert decide_repo(RULES, RepoFacts("PyTorch/PyTorch")).counts


def test_owner_wildcard_include_matches_any_repo_of_the_owner() -> None:
    decision = decide_repo(RULES, RepoFacts("HuggingFace/transformers"))
    assert decision.counts and decision.reason == "include huggingface/*"


def test_owner_wildcard_does_not_match_another_owner_with_the_same_prefix() -> None:
    assert not matches_pattern("huggingface-community/x", "huggingface/*")


def test_a_repo_with_a_listed_topic_counts() -> None:
    decision = decide_repo(RULES, RepoFacts("someone/agent", topics=("python", "LLM")))
    assert decision.counts and decision.reason == "topic LLM"


def test_a_repo_without_include_or_topic_does_not_count() -> None:
    assert not decide_repo(RULES, RepoFacts("someone/website", topics=("css",))).counts


def test_exclude_wins_over_include() -> None:
    decision = decide_repo(RULES, RepoFacts("huggingface/blog"))
    assert not decision.counts and decision.reason == "excluded by huggingface/blog"


def test_a_fork_never_counts_even_when_included() -> None:
    decision = decide_repo(RULES, RepoFacts("huggingface/transformers", fork=True))
    assert (decision.counts, decision.reason) == (False, "fork")


def test_a_private_repo_never_counts() -> None:
    decision = decide_repo(RULES, RepoFacts("pytorch/pytorch", private=True))
    assert (decision.counts, decision.reason) == (False, "private")


def test_a_repo_github_does_not_know_never_counts() -> None:
    assert not decide_repo(RULES, RepoFacts("pytorch/pytorch", exists=False)).counts


def test_an_archived_repo_still_counts() -> None:
    assert decide_repo(RULES, RepoFacts("pytorch/pytorch", archived=True)).counts


# Merges -------------------------------------------------------------------------------------


def test_a_merged_pull_request_lands_at_merged_at() -> None:
    merged = datetime(2026, 10, 2, tzinfo=UTC)
    assert (
        pull_request_merge(merged_at=merged, closed_at=merged, labels=(), labels_meaning_merged=frozenset())
        == merged
    )


def test_a_closed_pull_request_with_a_merge_label_lands_at_closed_at() -> None:
    closed = datetime(2026, 10, 3, tzinfo=UTC)
    landed = pull_request_merge(
        merged_at=None,
        closed_at=closed,
        labels=("ciflow/trunk", "MERGED"),
        labels_meaning_merged=frozenset({"merged"}),
    )
    assert landed == closed


def test_a_closed_pull_request_without_a_merge_label_did_not_land() -> None:
    closed = datetime(2026, 10, 3, tzinfo=UTC)
    assert (
        pull_request_merge(
            merged_at=None, closed_at=closed, labels=("wontfix",), labels_meaning_merged=frozenset({"merged"})
        )
        is None
    )


def test_merge_labels_only_apply_to_their_repo() -> None:
    rules = RepoRules(merged_labels={"pytorch/pytorch": ("Merged",)})
    assert rules.labels_meaning_merged("PyTorch/pytorch") == frozenset({"merged"})
    assert rules.labels_meaning_merged("pytorch/vision") == frozenset()


# Contributions ------------------------------------------------------------------------------


def context(
    *roster: RosterEntry, members: tuple[str, ...] = ("fay", "gus"), repos: tuple[str, ...] = ("a/b",)
) -> CountingContext:
    people = build_people([account(login) for login in members], roster)
    return CountingContext(people_by_login(people), frozenset(repos))


def contribution(
    kind: Kind = Kind.COMMENT, login: str = "fay", repo: str = "a/b", at: datetime = AT, **extra: str
) -> Contribution:
    return Contribution(kind, 1, login, repo, 7, "Title", "https://github.com/a/b/pull/7", at, **extra)


def test_a_members_contribution_to_a_counted_repo_counts() -> None:
    counted = count_contribution(contribution(), context())
    assert counted is not None and (counted.person, counted.kind, counted.repo) == (
        "fay",
        Kind.COMMENT,
        "a/b",
    )


def test_a_contribution_to_a_repo_that_does_not_count_does_not_count() -> None:
    assert count_contribution(contribution(repo="c/d"), context()) is None


def test_repo_matching_is_case_insensitive() -> None:
    assert count_contribution(contribution(repo="A/B"), context()) is not None


def test_an_outsiders_contribution_does_not_count() -> None:
    assert count_contribution(contribution(login="stranger"), context()) is None


def test_an_alias_contribution_counts_for_the_primary_login_with_its_team() -> None:
    counted = count_contribution(
        contribution(login="Fay-Alt"), context(RosterEntry("fay", team="Inference", aliases=("fay-alt",)))
    )
    assert counted is not None and (counted.person, counted.team) == ("fay", "Inference")


def test_work_before_since_does_not_count_and_since_is_inclusive() -> None:
    ctx = context(RosterEntry("fay", since=date(2026, 10, 1)))
    assert count_contribution(contribution(at=datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC)), ctx) is None
    assert count_contribution(contribution(at=datetime(2026, 10, 1, tzinfo=UTC)), ctx) is not None


def test_work_before_an_observed_join_or_after_an_observed_departure_does_not_count() -> None:
    ctx = CountingContext(
        people_by_login(build_people([account("fay", intervals=(Interval(JOINED, LEFT),))], [])),
        frozenset({"a/b"}),
    )
    assert count_contribution(contribution(at=JOINED - timedelta(seconds=1)), ctx) is None
    assert count_contribution(contribution(at=JOINED), ctx) is not None
    assert count_contribution(contribution(at=LEFT), ctx) is None


def test_work_between_two_intervals_does_not_count() -> None:
    gap = (Interval(None, JOINED), Interval(LEFT))
    ctx = CountingContext(
        people_by_login(build_people([account("fay", intervals=gap)], [])), frozenset({"a/b"})
    )
    assert count_contribution(contribution(at=AT), ctx) is not None
    assert count_contribution(contribution(at=JOINED + timedelta(days=1)), ctx) is None
    assert count_contribution(contribution(at=LEFT + timedelta(days=1)), ctx) is not None


def test_work_from_until_on_does_not_count() -> None:
    ctx = context(RosterEntry("fay", until=date(2026, 10, 29)))
    assert (
        count_contribution(contribution(at=datetime(2026, 10, 28, 23, 59, 59, tzinfo=UTC)), ctx) is not None
    )
    assert count_contribution(contribution(at=datetime(2026, 10, 29, tzinfo=UTC)), ctx) is None


def test_a_private_person_is_counted_and_marked_not_public() -> None:
    counted = count_contribution(contribution(), context(RosterEntry("fay", public=False)))
    assert counted is not None and counted.public is False


def test_a_review_of_someone_elses_pull_request_counts() -> None:
    assert count_contribution(contribution(Kind.REVIEW, subject_author="stranger"), context()) is not None


def test_a_review_of_ones_own_pull_request_does_not_count() -> None:
    assert count_contribution(contribution(Kind.REVIEW, subject_author="FAY"), context()) is None


def test_a_review_of_ones_own_pull_request_through_an_alias_does_not_count() -> None:
    ctx = context(RosterEntry("fay", aliases=("fay-alt",)))
    assert count_contribution(contribution(Kind.REVIEW, login="fay-alt", subject_author="fay"), ctx) is None


def test_a_review_of_a_colleagues_pull_request_counts() -> None:
    assert count_contribution(contribution(Kind.REVIEW, subject_author="gus"), context()) is not None


def test_a_comment_on_ones_own_issue_counts() -> None:
    assert count_contribution(contribution(Kind.COMMENT, subject_author="fay"), context()) is not None


def test_the_first_matching_pattern_gives_the_reason_whether_plain_or_wildcard() -> None:
    facts = RepoFacts(full_name="Org/Repo")
    wildcard_first = RepoRules(include=("org/*", "ORG/REPO"))
    plain_first = RepoRules(include=("other/x", "org/repo", "org/*"))
    excluded = RepoRules(include=("org/*",), exclude=("nope/*", "Org/Repo"))
    assert decide_repo(wildcard_first, facts).reason == "include org/*"
    assert decide_repo(plain_first, facts).reason == "include org/repo"
    assert decide_repo(excluded, facts) == RepoDecision(False, "excluded by Org/Repo")
    assert not decide_repo(RepoRules(include=("org/rep", "org/repo?")), facts).counts
