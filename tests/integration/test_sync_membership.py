"""Membership over time through whole syncs: joiners, leavers, renames, and listings that must not
change anything (interrupted, empty, suspect)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.github_world import GitHubWorld, Issue, iso, user
from tests.integration.sync_support import (
    NOW,
    ROSTER,
    Clock,
    RecordingProgress,
    Scenario,
    add_event,
    build_scenario,
    counted_keys,
    run_sync,
    write_config,
)
from tracker.config import Settings
from tracker.github.errors import ForbiddenError, GitHubError
from tracker.github.parse import parse_member
from tracker.membership import Interval, Listing, MemberAccount
from tracker.store.membership import last_applied_listing, list_member_accounts, pending_suspect_listing
from tracker.sync.people import take_listing

HOUR = timedelta(hours=1)
Key = tuple[str, str, str, int, str]


@pytest.fixture
def scenario() -> Scenario:
    return build_scenario()


@pytest.fixture
def github(scenario: Scenario) -> Iterator[GitHubWorld]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        scenario.world.install(mock)
        yield scenario.world


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return write_config(tmp_path, database_url)


def accounts(engine: Engine) -> dict[str, MemberAccount]:
    with Session(engine) as session:
        return {account.login: account for account in list_member_accounts(session)}


def remove_member(world: GitHubWorld, login: str) -> None:
    world.members = [member for member in world.members if member["login"] != login]


def key(kind: str, person: str, repo: str, number: int, at: datetime) -> Key:
    return (kind, person, repo, number, at.isoformat())


HF = "huggingface/transformers"


def open_issue(world: GitHubWorld, author: str, at: datetime, title: str) -> Issue:
    """An issue opened, as search and the author's events feed show it."""
    issue = world.add_issue(HF, author, at, title=title)
    add_event(world, author, "IssuesEvent", HF, {"action": "opened", "issue": issue.to_json()}, at)
    return issue


def test_a_leavers_work_before_the_listing_that_misses_them_keeps_counting_and_later_work_does_not(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    before_leaving = open_issue(github, "gus", NOW + 2 * HOUR, "Last week's fix")
    remove_member(github, "gus")
    clock.now = NOW + 3 * HOUR

    run_sync(settings, engine, clock)
    after_leaving = open_issue(github, "gus", NOW + 4 * HOUR, "Work for someone else")
    clock.now = NOW + 5 * HOUR
    run_sync(settings, engine, clock)

    assert accounts(engine)["gus"].intervals == (Interval(None, NOW + 3 * HOUR),)
    counted = counted_keys(settings, engine)
    assert key("issue_opened", "gus", HF, before_leaving.number, before_leaving.created_at) in counted
    assert key("issue_opened", "gus", HF, after_leaving.number, after_leaving.created_at) not in counted
    assert scenario.expected <= counted


def test_a_newcomers_work_counts_from_the_previous_listings_start_and_not_before(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    old_work = github.add_issue(HF, "kim", NOW - timedelta(days=20), title="Before joining")
    run_sync(settings, engine, clock)
    github.add_member("kim")
    first_days = open_issue(github, "kim", NOW + HOUR, "First days")
    clock.now = NOW + 2 * HOUR

    run_sync(settings, engine, clock)

    assert accounts(engine)["kim"].intervals == (Interval(NOW),)
    counted = counted_keys(settings, engine)
    assert key("issue_opened", "kim", HF, first_days.number, first_days.created_at) in counted
    assert key("issue_opened", "kim", HF, old_work.number, old_work.created_at) not in counted
    assert counted - {key("issue_opened", "kim", HF, first_days.number, first_days.created_at)} == (
        scenario.expected
    )


def test_a_newcomers_history_before_their_membership_is_never_searched(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    github.add_member("kim")
    clock.now = NOW + 2 * HOUR
    start = len(github.urls)

    run_sync(settings, engine, clock)

    searches = [url for url in github.urls[start:] if is_search(url) and ":kim" in url]
    dated = [url for url in searches if "is:open" not in url]
    assert len(dated) == 3  # authored, commented, reviewed: each from the previous listing's start
    assert all(f"updated:{iso(NOW)}.." in url for url in dated)
    assert [url for url in searches if "is:open" in url] == [
        url for url in searches if "author:kim is:pr is:open updated:2008-01-01T00:00:00Z.." in url
    ]
    assert len(searches) == 4


def test_a_newcomers_old_pull_request_merged_while_they_are_a_member_counts(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    old_pr = github.add_issue(
        HF, "kim", NOW - timedelta(days=20), is_pull_request=True, title="Idle for weeks"
    )
    run_sync(settings, engine, clock)
    github.add_member("kim")
    clock.now = NOW + HOUR
    run_sync(settings, engine, clock)
    merged_at = NOW + 90 * timedelta(minutes=1)  # by a maintainer: no event in kim's feed
    old_pr.state, old_pr.closed_at, old_pr.merged_at, old_pr.updated_at = (
        "closed",
        merged_at,
        merged_at,
        merged_at,
    )
    clock.now = NOW + 2 * HOUR

    run_sync(settings, engine, clock)

    counted = counted_keys(settings, engine)
    assert key("pr_merged", "kim", HF, old_pr.number, merged_at) in counted
    assert key("pr_opened", "kim", HF, old_pr.number, old_pr.created_at) not in counted


def test_a_roster_entry_that_moves_a_membership_earlier_has_that_history_fetched(
    github: GitHubWorld, tmp_path: Path, database_url: str, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    old_work = open_issue(github, "kim", NOW - timedelta(days=20), "Before the org saw her")
    run_sync(settings, engine, clock)
    github.add_member("kim")
    clock.now = NOW + HOUR
    run_sync(settings, engine, clock)
    old = key("issue_opened", "kim", HF, old_work.number, old_work.created_at)
    assert old not in counted_keys(settings, engine)
    with_kim = write_config(tmp_path, database_url, roster=ROSTER + '\n[[member]]\nlogin = "kim"\n')
    clock.now = NOW + 2 * HOUR

    run_sync(with_kim, engine, clock)

    assert old in counted_keys(with_kim, engine)


def test_someone_who_left_is_fetched_up_to_their_end_and_then_no_more(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    remove_member(github, "gus")
    clock.now = NOW + HOUR
    departure_seen = len(github.urls)
    run_sync(settings, engine, clock)
    (gus_pr,) = [
        issue
        for issue in github.issues
        if issue.author == "gus" and issue.state == "open" and issue.repo == HF
    ]
    gus_open_pr = f"/repos/{HF}/issues/{gus_pr.number}"
    assert any(url.endswith("/users/gus/events/public?per_page=100") for url in github.urls[departure_seen:])
    assert any(gus_open_pr in url for url in github.urls[departure_seen:])
    clock.now = NOW + 2 * HOUR
    later = len(github.urls)

    run_sync(settings, engine, clock)

    assert [url for url in github.urls[later:] if "gus" in url or gus_open_pr in url] == []
    assert counted_keys(settings, engine) == scenario.expected


def test_someone_whose_departure_was_seen_by_a_failed_sync_is_searched_up_to_their_end_once(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    remove_member(github, "gus")
    clock.now = NOW + HOUR
    with Session(engine) as session:  # a sync that saw gus leave, then died before his activity
        take_listing(session, Listing(tuple(parse_member(member) for member in github.members), clock.now))
        session.commit()
    merged_before_leaving = github.add_issue(
        HF, "gus", NOW + HOUR / 2, is_pull_request=True, state="closed", closed_at=NOW + HOUR / 2
    )
    merged_before_leaving.merged_at = NOW + HOUR / 2
    clock.now = NOW + 2 * HOUR
    start = len(github.urls)

    run_sync(settings, engine, clock)

    gus = [url for url in github.urls[start:] if "gus" in url]
    assert len(gus) == 3 and all(is_search(url) and f"updated:{iso(NOW - HOUR)}.." in url for url in gus)
    opened = key("pr_opened", "gus", HF, merged_before_leaving.number, NOW + HOUR / 2)
    assert opened in counted_keys(settings, engine)


def test_someone_back_after_a_gap_has_their_open_pull_requests_followed_again(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    everyone = list(github.members)
    (gus_pr,) = [i for i in github.issues if i.author == "gus" and i.state == "open" and i.repo == HF]
    run_sync(settings, engine, clock)
    remove_member(github, "gus")
    for hours in (1, 2):  # the listing at +1h sees him gone, the one at +2h still gone
        clock.now = NOW + hours * HOUR
        run_sync(settings, engine, clock)
    github.members = everyone
    clock.now = NOW + 3 * HOUR
    run_sync(settings, engine, clock)
    merged_at = NOW + 3 * HOUR + timedelta(minutes=10)  # by a maintainer: no event in gus's feed
    gus_pr.state, gus_pr.closed_at, gus_pr.merged_at, gus_pr.updated_at = (
        "closed",
        merged_at,
        merged_at,
        merged_at,
    )
    clock.now = NOW + 4 * HOUR

    run_sync(settings, engine, clock)

    assert accounts(engine)["gus"].intervals == (Interval(None, NOW + HOUR), Interval(NOW + 2 * HOUR))
    assert key("pr_merged", "gus", HF, gus_pr.number, merged_at) in counted_keys(settings, engine)


def test_a_renamed_member_keeps_their_history_under_the_new_login(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    before = {row for row in scenario.expected if row[1] == "gus"}
    github.members = [
        {**user("gus-renamed"), "id": member["id"]} if member["login"] == "gus" else member
        for member in github.members
    ]
    clock.now = NOW + HOUR
    first_sync_requests = len(github.requests)

    run_sync(settings, engine, clock)

    renamed = accounts(engine)["gus-renamed"]
    assert (renamed.former_logins, renamed.intervals) == (("gus",), (Interval(),))
    counted = counted_keys(settings, engine)
    assert {
        (kind, "gus", repo, number, at) for kind, who, repo, number, at in counted if who == "gus-renamed"
    } == (before)
    assert "gus" not in {who for _kind, who, *_rest in counted}
    later = [path for path, _status in github.requests[first_sync_requests:]]
    assert "/users/gus-renamed/events/public" in later
    assert "/users/gus/events/public" not in later  # the former login is no longer followed


def test_a_listing_that_fails_mid_pagination_changes_nothing(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    for index in range(120):
        github.add_member(f"dev{index:03d}")
    clock = Clock()
    run_sync(settings, engine, clock)
    before = accounts(engine)
    remove_member(github, "gus")
    github.faults.before = FailAfterFirstMemberPage(502, {}, '{"message": "Server Error"}')
    clock.now = NOW + HOUR

    with pytest.raises(GitHubError, match="HTTP 502"):
        run_sync(settings, engine, clock)

    assert accounts(engine) == before
    with Session(engine) as session:
        last = last_applied_listing(session)
        assert last is not None and last.started_at == NOW
    assert counted_keys(settings, engine) == scenario.expected


def test_a_listing_stopped_by_the_rate_limit_mid_pagination_changes_nothing(
    github: GitHubWorld, settings: Settings, engine: Engine
) -> None:
    for index in range(120):
        github.add_member(f"dev{index:03d}")
    clock = Clock()
    run_sync(settings, engine, clock)
    before = accounts(engine)
    remove_member(github, "gus")
    spent = {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-limit": "5000",
        "x-ratelimit-resource": "core",
        "x-ratelimit-reset": str(int((NOW + 2 * HOUR).timestamp())),
    }
    github.faults.before = FailAfterFirstMemberPage(403, spent, '{"message": "API rate limit exceeded"}')
    clock.now = NOW + HOUR

    with pytest.raises(ForbiddenError):
        run_sync(settings, engine, clock)

    assert clock.slept  # it waited for the budget, and the listing never completed
    assert accounts(engine) == before


def test_an_empty_listing_after_a_non_empty_one_changes_nothing_and_says_so(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    before = accounts(engine)
    github.members = []
    clock.now = NOW + HOUR
    progress = RecordingProgress()

    run_sync(settings, engine, clock, progress)

    assert accounts(engine) == before
    assert any("membership not changed" in message for message in progress.messages)
    assert counted_keys(settings, engine) == scenario.expected


def test_a_listing_that_drops_most_members_is_held_back_until_accepted(
    github: GitHubWorld, scenario: Scenario, settings: Settings, engine: Engine
) -> None:
    clock = Clock()
    run_sync(settings, engine, clock)
    before = accounts(engine)
    github.members = [member for member in github.members if member["login"] == "fay"]
    clock.now = NOW + HOUR
    progress = RecordingProgress()

    run_sync(settings, engine, clock, progress)

    assert accounts(engine) == before
    (warning,) = [message for message in progress.messages if "membership not changed" in message]
    assert "lacks 5 of the 6 members" in warning and "--accept-membership-change" in warning
    with Session(engine) as session:
        assert pending_suspect_listing(session) is not None

    clock.now = NOW + 2 * HOUR
    run_sync(settings, engine, clock, accept_membership_change=True)

    after = accounts(engine)
    assert after["gus"].intervals == (Interval(None, NOW + 2 * HOUR),)
    assert after["fay"].intervals == (Interval(),)
    with Session(engine) as session:
        assert pending_suspect_listing(session) is None
    assert counted_keys(settings, engine) == scenario.expected


class FailAfterFirstMemberPage:
    """Answers the member listing's first page as GitHub would, then fails every later request for it."""

    def __init__(self, status: int, headers: dict[str, str], body: str) -> None:
        self.answer = (status, headers, body)
        self.pages = 0

    def __call__(self, _count: int, path: str) -> tuple[int, dict[str, str], str] | None:
        if path != "/orgs/acme/members":
            return None
        self.pages += 1
        return None if self.pages == 1 else self.answer


def is_search(url: str) -> bool:
    """A search of issues: through REST, or through GraphQL (the reviewed-by one)."""
    return "/search/issues" in url or "/graphql search" in url
