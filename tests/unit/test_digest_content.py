from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.digest.content import (
    TOP_PEOPLE,
    Change,
    DigestContent,
    DigestFacts,
    Openness,
    PeriodContributions,
    PersonRepo,
    SyncStatus,
    build_digest,
    canonical_repo,
    earliest_merges,
)
from tracker.domain import Contribution, CountedContribution, Kind, RepoRecord
from tracker.openness import LicenseChange, LicenseClass
from tracker.periods import Period, trailing_periods

WEEK = Period("week", "UTC", date(2025, 3, 3), date(2025, 3, 10))
NOW = datetime(2025, 3, 10, 9, tzinfo=UTC)
FRESH = SyncStatus(datetime(2025, 3, 10, 6, tzinfo=UTC), "ok", datetime(2025, 3, 10, 5, tzinfo=UTC))
T, V, L = "huggingface/transformers", "vllm-project/vllm", "meta-llama/llama3"


def when(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


def counted(
    kind: Kind,
    person: str,
    repo: str,
    at: datetime,
    *,
    github_id: int = 0,
    public: bool = True,
    team: str | None = None,
    title: str = "A change",
    number: int = 1,
) -> CountedContribution:
    return CountedContribution(
        kind=kind,
        github_id=github_id,
        person=person,
        team=team,
        public=public,
        repo=repo,
        number=number,
        title=title,
        url=f"https://github.com/{repo}/pull/{number}",
        occurred_at=at,
    )


def record(full_name: str, license_spdx: str | None = "Apache-2.0", *, stars: int = 10) -> RepoRecord:
    return RepoRecord(
        full_name=full_name,
        exists=True,
        private=False,
        fork=False,
        archived=False,
        stars=stars,
        topics=(),
        description=None,
        license_spdx=license_spdx,
        has_license=license_spdx is not None,
        html_url=f"https://github.com/{full_name}",
        fetched_at=when(1),
    )


REPOS = {
    T.lower(): record(T, stars=130_000),
    V.lower(): record(V, stars=40_000),
    L.lower(): record(L, "LicenseRef-llama", stars=27_000),
}


def facts(
    current: Sequence[CountedContribution],
    previous: Sequence[CountedContribution] = (),
    *,
    first_merges: Mapping[PersonRepo, int] | None = None,
    has_teams: bool = False,
    sync: SyncStatus = FRESH,
    license_changes: Sequence[LicenseChange] = (),
    repos: Mapping[str, RepoRecord] = REPOS,
) -> DigestFacts:
    periods = trailing_periods(WEEK, 2)
    return DigestFacts(
        org="acme",
        history=[PeriodContributions(periods[0], previous), PeriodContributions(periods[1], current)],
        first_merges=first_merges or {},
        repos=repos,
        license_changes=license_changes,
        sync=sync,
        has_teams=has_teams,
        names={"ada": "Ada Lovelace"},
    )


def digest_of(digest_facts: DigestFacts, *, highlights: int = 10, now: datetime = NOW) -> DigestContent:
    return build_digest(digest_facts, highlights=highlights, now=now)


# --- totals -------------------------------------------------------------------------------------

CURRENT = [
    counted(Kind.PR_MERGED, "ada", T, when(4), github_id=1, team="Research", number=101),
    counted(Kind.PR_OPENED, "ada", T, when(3), github_id=1, team="Research", number=101),
    counted(Kind.REVIEW, "ada", V, when(5), github_id=2, team="Research"),
    counted(Kind.COMMENT, "bob", T, when(4), github_id=3, team="Research"),
    counted(Kind.PR_MERGED, "bob", V, when(5), github_id=4, team="Research", number=55),
    counted(Kind.PR_MERGED, "carol", L, when(6), github_id=5, public=False, team="Infra", number=7),
    counted(Kind.ISSUE_OPENED, "carol", L, when(7), github_id=6, public=False, team="Infra"),
    counted(Kind.COMMENT, "dan", T, when(8), github_id=7),
]
PREVIOUS = [
    counted(Kind.PR_MERGED, "bob", V, when(26, month=2), github_id=8),
    counted(Kind.COMMENT, "ada", T, when(27, month=2), github_id=9),
    counted(Kind.COMMENT, "ada", T, when(28, month=2), github_id=10),
]


def test_totals_per_kind_with_change_against_the_previous_period() -> None:
    content = digest_of(facts(CURRENT, PREVIOUS))

    assert content.total == Change(8, 3)
    assert dict(content.by_kind) == {
        Kind.PR_MERGED: Change(3, 1),
        Kind.PR_OPENED: Change(1, 0),
        Kind.REVIEW: Change(1, 0),
        Kind.ISSUE_OPENED: Change(1, 0),
        Kind.COMMENT: Change(2, 2),
    }
    assert [kind for kind, _ in content.by_kind] == [
        Kind.PR_MERGED,
        Kind.PR_OPENED,
        Kind.REVIEW,
        Kind.ISSUE_OPENED,
        Kind.COMMENT,
    ]


def test_distinct_contributors_and_repos_count_everyone_including_private_people() -> None:
    content = digest_of(facts(CURRENT, PREVIOUS))

    assert content.contributors == Change(4, 2)
    assert content.repo_count == Change(3, 2)
    assert content.contributors.delta == 2


def test_logins_and_repos_differing_in_case_are_one_person_and_one_repo() -> None:
    rows = [
        counted(Kind.COMMENT, "Ada", T, when(4), github_id=1),
        counted(Kind.COMMENT, "ada", T.upper(), when(5), github_id=2),
    ]

    content = digest_of(facts(rows))

    assert (content.contributors.current, content.repo_count.current) == (1, 1)


def test_repos_are_listed_largest_first_with_their_license_class() -> None:
    content = digest_of(facts(CURRENT))

    assert [(line.name, line.count, line.license_class) for line in content.repos.items] == [
        (T, 4, LicenseClass.OSI),
        (L, 2, LicenseClass.UNKNOWN),
        (V, 2, LicenseClass.OSI),
    ]
    assert content.repos.items[0].url == f"https://github.com/{T}"
    assert content.repos.more == 0


# --- people and teams ---------------------------------------------------------------------------


def test_people_are_named_unless_private_and_the_rest_is_more() -> None:
    content = digest_of(facts(CURRENT))

    assert [(line.login, line.name, line.count) for line in content.people.items] == [
        ("ada", "Ada Lovelace", 3),
        ("bob", None, 2),
        ("dan", None, 1),
    ]
    assert content.people.more == 1


def test_people_list_is_capped() -> None:
    rows = [counted(Kind.COMMENT, f"user{index:02}", T, when(4), github_id=index) for index in range(20)]

    people = digest_of(facts(rows)).people

    assert len(people.items) == TOP_PEOPLE
    assert people.more == 20 - TOP_PEOPLE


def test_no_one_with_zero_is_listed() -> None:
    content = digest_of(facts(CURRENT[:1], PREVIOUS))

    assert [line.login for line in content.people.items] == ["ada"]
    assert all(line.count > 0 for line in content.people.items)


def test_teams_with_counts_and_people_when_the_roster_has_teams() -> None:
    content = digest_of(facts(CURRENT, has_teams=True))

    assert content.teams is not None
    assert [(team.name, team.count, team.people) for team in content.teams.items] == [
        ("Research", 5, 2),
        ("Infra", 2, 1),
    ]


def test_no_teams_section_without_teams_in_the_roster() -> None:
    assert digest_of(facts(CURRENT, has_teams=False)).teams is None


# --- first contributions and highlights ---------------------------------------------------------


def test_first_contributions_are_earliest_merges_and_never_name_private_people() -> None:
    firsts = {("ada", T.lower()): 1, ("bob", V.lower()): 99, ("carol", L.lower()): 5}

    content = digest_of(facts(CURRENT, first_merges=firsts))

    assert [(pull.author, pull.repo, pull.number) for pull in content.first_contributions.items] == [
        ("ada", T, 101)
    ]
    assert content.first_contributions.more == 1


def test_highlights_put_first_contributions_first_then_bigger_repos() -> None:
    rows = [
        counted(Kind.PR_MERGED, "bob", L, when(4), github_id=1, number=1),
        counted(Kind.PR_MERGED, "bob", T, when(5), github_id=2, number=2),
        counted(Kind.PR_MERGED, "bob", T, when(6), github_id=3, number=3),
        counted(Kind.PR_MERGED, "ada", V, when(3), github_id=4, number=4),
    ]

    content = digest_of(facts(rows, first_merges={("ada", V.lower()): 4}))

    assert [pull.number for pull in content.highlights.items] == [4, 3, 2, 1]
    assert [pull.first for pull in content.highlights.items] == [True, False, False, False]


def test_highlights_are_capped_with_more_and_skip_private_authors() -> None:
    content = digest_of(facts(CURRENT), highlights=1)

    assert [pull.number for pull in content.highlights.items] == [101]
    assert content.highlights.more == 2
    assert content.highlights.items[0].author_name == "Ada Lovelace"


def test_highlights_can_be_turned_off() -> None:
    content = digest_of(facts(CURRENT), highlights=0)

    assert content.highlights.items == ()
    assert content.highlights.more == 3


def test_earliest_merges_maps_aliases_to_their_person_and_keeps_the_first() -> None:
    merges = [
        Contribution(Kind.PR_MERGED, 10, "erin-work", T, 1, "t", "u", when(1, month=1)),
        Contribution(Kind.PR_MERGED, 11, "erin", T, 2, "t", "u", when(2, month=1)),
        Contribution(Kind.PR_MERGED, 12, "stranger", T, 3, "t", "u", when(3, month=1)),
    ]
    owners = {"erin": "erin", "erin-work": "erin"}

    assert earliest_merges(merges, owners.get, REPOS) == {("erin", T.lower()): 10}


def test_a_merge_under_a_repo_s_old_name_is_the_same_repo() -> None:
    renamed = {**REPOS, "huggingface/old-transformers": REPOS[T.lower()]}
    merges = [Contribution(Kind.PR_MERGED, 10, "ada", "huggingface/old-transformers", 1, "t", "u", when(1))]
    firsts = earliest_merges(merges, lambda login: login, renamed)
    rows = [counted(Kind.PR_MERGED, "ada", T, when(4), github_id=11)]

    content = digest_of(facts(rows, first_merges=firsts, repos=renamed))

    assert canonical_repo(renamed, "HuggingFace/Old-Transformers") == T.lower()
    assert content.first_contributions.items == ()
    assert content.highlights.items[0].first is False


# --- trend, openness, freshness -----------------------------------------------------------------


def test_trend_has_one_point_per_period_oldest_first() -> None:
    periods = trailing_periods(WEEK, 3)
    history = [
        PeriodContributions(periods[0], CURRENT[:2]),
        PeriodContributions(periods[1], ()),
        PeriodContributions(periods[2], CURRENT),
    ]

    content = digest_of(replace(facts(CURRENT), history=history))

    assert [(point.label, point.total) for point in content.trend] == [
        ("17 Feb", 2),
        ("24 Feb", 0),
        ("3 Mar", 8),
    ]
    assert content.total.previous == 0


def test_osi_share_counts_contributions_to_osi_licensed_repos() -> None:
    content = digest_of(facts(CURRENT))

    assert (content.openness.osi_contributions, content.openness.contributions) == (6, 8)
    assert content.openness.osi_percent == 75


@pytest.mark.parametrize(
    ("osi", "total", "percent"),
    [(2, 3, 67), (8, 11, 73), (199, 200, 99), (1, 300, 1), (0, 5, 0), (5, 5, 100)],
)
def test_the_osi_share_is_rounded_but_never_to_all_or_none_when_untrue(
    osi: int, total: int, percent: int
) -> None:
    assert Openness(osi, total, ()).osi_percent == percent


def test_only_license_changes_seen_during_the_period_are_mentioned() -> None:
    changes = [
        LicenseChange(V, "Apache-2.0", "BUSL-1.1", when(5)),
        LicenseChange(T, "MIT", "Apache-2.0", when(2)),
        LicenseChange(L, None, "MIT", WEEK.end),
    ]

    content = digest_of(facts(CURRENT, license_changes=changes))

    assert content.openness.license_changes == (changes[0],)


def test_freshness_of_a_recent_successful_sync() -> None:
    freshness = digest_of(facts(CURRENT)).freshness

    assert freshness.last_success_at == FRESH.last_success_finished_at
    assert not freshness.warns
    assert not freshness.ends_before_period


def test_a_failed_last_sync_warns() -> None:
    failed = replace(FRESH, last_run_status="failed")

    freshness = digest_of(facts(CURRENT, sync=failed)).freshness

    assert freshness.last_sync_failed
    assert freshness.warns


def test_a_sync_older_than_a_day_is_stale() -> None:
    sync = replace(FRESH, last_success_finished_at=NOW - timedelta(days=1, seconds=1))

    assert digest_of(facts(CURRENT, sync=sync)).freshness.stale
    assert not digest_of(facts(CURRENT, sync=sync), now=NOW - timedelta(seconds=2)).freshness.stale


def test_a_sync_that_ended_before_the_period_did_is_noted() -> None:
    sync = replace(FRESH, last_success_finished_at=WEEK.end - timedelta(hours=2))

    freshness = digest_of(facts(CURRENT, sync=sync), now=WEEK.end).freshness

    assert freshness.ends_before_period
    assert not freshness.stale


def test_never_synced_warns() -> None:
    never = SyncStatus(None, None, None)

    assert digest_of(facts((), sync=never)).freshness.warns


# --- the empty period ---------------------------------------------------------------------------


def test_an_empty_period_is_empty_and_lists_nothing() -> None:
    content = digest_of(facts((), PREVIOUS, has_teams=True))

    assert content.is_empty
    assert content.total == Change(0, 3)
    assert content.people.items == ()
    assert content.repos.items == ()
    assert content.highlights.items == ()
    assert content.teams is not None
    assert content.teams.items == ()
    assert content.openness.osi_percent is None


def test_the_digest_needs_its_own_period() -> None:
    with pytest.raises(ValueError, match="at least"):
        digest_of(replace(facts(()), history=[]))
