"""The GitHub emulator (bench/emulator) over real HTTP: shapes, paging, caps, budgets, truth."""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests

from bench.emulator.builder import WorldBuilder
from bench.emulator.cli import add_world_arguments, world_config_from
from bench.emulator.model import Comment, Review, Thread, World
from bench.emulator.seed import WorldConfig, generate_world
from bench.emulator.server import EmulatorSettings, RunningEmulator, start_in_thread
from bench.emulator.truth import (
    count_by_kind,
    ground_truth,
    minimum_pages,
)
from bench.emulator_process import EmulatorProcess, WorldSize

NOW = "2026-11-28T00:00:00Z"
TOPICS = ("llm", "machine-learning")
AUTH = {"Authorization": "token test-token"}


# --- worlds -----------------------------------------------------------------------


def build_tiny_world() -> World:
    """Small enough to count by hand; the expected numbers are in `test_ground_truth_hand_counted`."""
    builder = WorldBuilder(org="acme", now=NOW)
    alice = builder.member("alice")
    bob = builder.member("bob", public=False)
    bot = builder.member("acme-ci[bot]", bot=True)
    eve = builder.outsider("eve")
    kit = builder.repo("acme/llm-kit", topics=("llm", "pytorch"))
    site = builder.repo("acme/site", topics=("web",))
    fork = builder.repo("alice/llm-kit", topics=("llm",), fork=True)
    secret = builder.repo("acme/secret", topics=("llm",), private=True)
    ml_lib = builder.repo("other/ml-lib", topics=("machine-learning",), archived=True)

    # acme/llm-kit: numbers follow creation order (#1 is the oldest)
    issue_1 = builder.issue(kit, bob, "2026-10-15T10:00:00Z")
    builder.comment(issue_1, bob, "2026-11-01T00:00:00Z")  # exactly `since`: counts
    builder.comment(issue_1, bob, "2026-11-05T10:00:00Z", updated="2026-11-20T10:00:00Z")
    pull_2 = builder.pull(kit, bob, "2026-10-20T10:00:00Z", merged="2026-11-10T10:00:00Z", merged_by=alice)
    builder.review(pull_2, bob, "COMMENTED", "2026-11-09T10:00:00Z")  # own PR: not counted
    builder.review(pull_2, alice, "CHANGES_REQUESTED", "2026-10-25T10:00:00Z")  # before since
    builder.pull(kit, alice, "2026-11-02T10:00:00Z", merged="2026-11-03T10:00:00Z")
    pull_4 = builder.pull(kit, eve, "2026-11-04T10:00:00Z")
    builder.review(pull_4, alice, "APPROVED", "2026-11-05T11:00:00Z")
    builder.review(pull_4, bob, "PENDING", "2026-11-05T12:00:00Z")
    builder.review(pull_4, bob, "DISMISSED", "2026-11-06T12:00:00Z")
    builder.comment(pull_4, eve, "2026-11-06T13:00:00Z")
    pull_5 = builder.pull(kit, bot, "2026-11-12T10:00:00Z", merged="2026-11-12T11:00:00Z")
    builder.comment(pull_5, bot, "2026-11-12T10:30:00Z")
    builder.review(pull_5, alice, "APPROVED", "2026-11-12T10:45:00Z")
    issue_6 = builder.issue(kit, alice, "2026-11-20T10:00:00Z", closed="2026-11-22T10:00:00Z")
    builder.comment(issue_6, alice, "2026-11-21T10:00:00Z")
    builder.pull(site, alice, "2026-11-05T10:00:00Z")
    builder.pull(fork, alice, "2026-11-06T10:00:00Z", merged="2026-11-06T11:00:00Z")
    builder.issue(secret, bob, "2026-11-07T10:00:00Z")
    builder.issue(ml_lib, bob, "2026-11-15T10:00:00Z")
    builder.issue(ml_lib, eve, "2026-11-16T10:00:00Z")
    return builder.build()


def build_busy_world() -> World:
    """alice: 1,150 issues over 300 days and 350 comments in the last 20 days; bob: a few old and new."""
    builder = WorldBuilder(org="acme", now=NOW)
    alice = builder.member("alice")
    bob = builder.member("bob")
    repo = builder.repo("acme/llm-kit", topics=("llm",))
    now = builder.world.now
    threads = [builder.issue(repo, alice, now - 300 * 86_400 + index * 22_000) for index in range(1_150)]
    for index in range(350):
        builder.comment(threads[-1], alice, now - 20 * 86_400 + index * 4_000)
    for index in range(20):
        builder.comment(threads[0], bob, now - 40 * 86_400 + index * 60)
    for index in range(50):
        builder.comment(threads[1], bob, now - 10 * 86_400 + index * 60)
    return builder.build()


def serve(
    world: World, settings: EmulatorSettings | None = None
) -> Iterator[tuple[RunningEmulator, requests.Session]]:
    running = start_in_thread(world, settings)
    session = requests.Session()
    session.headers.update(AUTH)
    try:
        yield running, session
    finally:
        session.close()
        running.stop()


@pytest.fixture(scope="module")
def tiny() -> Iterator[tuple[RunningEmulator, requests.Session]]:
    yield from serve(build_tiny_world(), EmulatorSettings(search_limit=10_000))


@pytest.fixture(scope="module")
def busy() -> Iterator[tuple[RunningEmulator, requests.Session]]:
    yield from serve(build_busy_world(), EmulatorSettings(search_limit=10_000))


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[RunningEmulator, requests.Session]]:
    config = WorldConfig(seed=3, people=25, repos=12, contributions=3_000, days=90, now=NOW)
    yield from serve(generate_world(config), EmulatorSettings(search_limit=10_000))


def search(session: requests.Session, url: str, query: str, **params: Any) -> requests.Response:
    return session.get(f"{url}/search/issues", params={"q": query, "per_page": 100, **params})


def numbers(response: requests.Response) -> list[tuple[str, int]]:
    return [(item["repository_url"].split("/repos/")[1], item["number"]) for item in response.json()["items"]]


# --- paging, shapes, auth ------------------------------------------------------------


def test_members_pagination_and_link_headers(seeded: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = seeded
    first = session.get(f"{running.url}/orgs/acme/members", params={"per_page": 10})
    assert first.status_code == 200
    assert first.links["next"]["url"] == f"{running.url}/orgs/acme/members?per_page=10&page=2"
    assert first.links["last"]["url"].endswith("page=3")
    assert "prev" not in first.links
    last = session.get(first.links["last"]["url"])
    assert set(last.links) == {"prev", "first"}
    logins = [
        user["login"]
        for page in (1, 2, 3)
        for user in session.get(
            f"{running.url}/orgs/acme/members", params={"per_page": 10, "page": page}
        ).json()
    ]
    assert len(logins) == len(set(logins)) == 25
    assert sum(login.endswith("[bot]") for login in logins) == 2
    enterprise = session.get(f"{running.url}/api/v3/orgs/acme/members", params={"per_page": 10})
    assert enterprise.links["next"]["url"].startswith(f"{running.url}/api/v3/orgs/acme/members?")
    assert enterprise.json()[0]["url"].startswith(f"{running.url}/api/v3/users/")
    default = session.get(f"{running.url}/orgs/acme/members")
    assert len(default.json()) == 25
    assert "link" not in default.headers


def test_shapes_of_repo_issue_comment_review(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = tiny
    repo = session.get(f"{running.url}/repos/acme/llm-kit").json()
    assert repo["topics"] == ["llm", "pytorch"] and repo["fork"] is False and repo["license"] is None
    assert repo["owner"]["type"] == "Organization" and repo["full_name"] == "acme/llm-kit"
    assert session.get(f"{running.url}/repos/acme/secret").status_code == 404
    assert session.get(f"{running.url}/repos/acme/nope").json()["message"] == "Not Found"
    pull = session.get(f"{running.url}/repos/acme/llm-kit/issues/3").json()
    assert pull["pull_request"]["merged_at"] == "2026-11-03T10:00:00Z"
    assert set(pull["pull_request"]) == {"url", "html_url", "diff_url", "patch_url", "merged_at"}
    assert pull["state"] == "closed" and pull["user"]["login"] == "alice"
    comments = session.get(f"{running.url}/repos/acme/llm-kit/issues/1/comments").json()
    assert [comment["created_at"] for comment in comments] == ["2026-11-01T00:00:00Z", "2026-11-05T10:00:00Z"]
    since = session.get(
        f"{running.url}/repos/acme/llm-kit/issues/1/comments", params={"since": "2026-11-10T00:00:00Z"}
    )
    assert [comment["updated_at"] for comment in since.json()] == ["2026-11-20T10:00:00Z"]
    reviews = session.get(f"{running.url}/repos/acme/llm-kit/pulls/4/reviews").json()
    assert [review["state"] for review in reviews] == ["APPROVED", "DISMISSED"]
    as_bob = session.get(
        f"{running.url}/repos/acme/llm-kit/pulls/4/reviews", headers={"Authorization": "token bob"}
    )
    assert [review["state"] for review in as_bob.json()] == ["APPROVED", "PENDING", "DISMISSED"]
    assert "submitted_at" not in as_bob.json()[1]
    bot = session.get(f"{running.url}/users/acme-ci%5Bbot%5D").json()
    assert bot["type"] == "Bot"


def test_unauthenticated_and_bad_token_get_401(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, _ = tiny
    missing = requests.get(f"{running.url}/orgs/acme/members", timeout=5)
    bad = requests.get(f"{running.url}/orgs/acme/members", headers={"Authorization": "Bearer bad"}, timeout=5)
    for response in (missing, bad):
        assert response.status_code == 401
        assert response.json()["message"] == "Bad credentials"


def test_etag_gives_304_without_spending_budget(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = tiny
    url = f"{running.url}/repos/acme/llm-kit/issues/1"
    first = session.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    cached = session.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    changed = session.get(url, headers={"If-None-Match": 'W/"other"'})
    assert changed.status_code == 200
    assert int(changed.headers["x-ratelimit-remaining"]) == int(first.headers["x-ratelimit-remaining"]) - 1
    stats = session.get(f"{running.url}/_emulator/stats").json()
    assert stats["endpoints"]["GET /repos/{owner}/{repo}/issues/{number}"]["not_modified"] >= 1


def test_if_modified_since_gives_304_without_spending_budget(
    tiny: tuple[RunningEmulator, requests.Session],
) -> None:
    running, session = tiny
    url = f"{running.url}/repos/acme/llm-kit/issues/4"
    first = session.get(url)
    assert first.json()["updated_at"] == "2026-11-06T13:00:00Z"  # eve's comment, the last change
    assert first.headers["last-modified"] == "Fri, 06 Nov 2026 13:00:00 GMT"
    remaining = int(first.headers["x-ratelimit-remaining"])

    same = session.get(url, headers={"If-Modified-Since": "Fri, 06 Nov 2026 13:00:00 GMT"})
    later = session.get(url, headers={"If-Modified-Since": "Sat, 07 Nov 2026 00:00:00 GMT"})
    for cached in (same, later):
        assert cached.status_code == 304 and cached.content == b""
        assert cached.headers["etag"] == first.headers["etag"]
        assert cached.headers["last-modified"] == first.headers["last-modified"]
        assert int(cached.headers["x-ratelimit-remaining"]) == remaining

    earlier = session.get(url, headers={"If-Modified-Since": "Fri, 06 Nov 2026 12:59:59 GMT"})
    assert earlier.status_code == 200 and earlier.json()["number"] == 4
    assert int(earlier.headers["x-ratelimit-remaining"]) == remaining - 1
    unreadable = session.get(url, headers={"If-Modified-Since": "last week"})
    assert unreadable.status_code == 200


def test_if_none_match_overrules_if_modified_since(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = tiny
    url = f"{running.url}/repos/acme/llm-kit/pulls/4"
    first = session.get(url)
    assert first.headers["last-modified"] == "Fri, 06 Nov 2026 13:00:00 GMT"
    not_this_etag = {"If-None-Match": 'W/"other"', "If-Modified-Since": first.headers["last-modified"]}
    this_etag = {"If-None-Match": first.headers["etag"], "If-Modified-Since": "Thu, 01 Jan 2026 00:00:00 GMT"}

    assert session.get(url, headers=not_this_etag).status_code == 200
    assert session.get(url, headers=this_etag).status_code == 304


def test_last_modified_is_sent_for_single_resources_only(
    tiny: tuple[RunningEmulator, requests.Session],
) -> None:
    running, session = tiny
    before = session.get(f"{running.url}/_emulator/stats").json()["endpoints"]
    for path in ("/repos/acme/llm-kit", "/users/alice", "/orgs/acme"):
        single = session.get(f"{running.url}{path}")
        modified = parsedate_to_datetime(single.headers["last-modified"])
        assert modified == datetime.fromisoformat(single.json()["updated_at"].replace("Z", "+00:00"))
        again = session.get(
            f"{running.url}{path}", headers={"If-Modified-Since": single.headers["last-modified"]}
        )
        assert again.status_code == 304
    for path in ("/repos/acme/llm-kit/issues", "/orgs/acme/members", "/repos/acme/llm-kit/issues/1/comments"):
        listing = session.get(
            f"{running.url}{path}", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
        )
        assert listing.status_code == 200 and "last-modified" not in listing.headers
    after = session.get(f"{running.url}/_emulator/stats").json()["endpoints"]
    repo = "GET /repos/{owner}/{repo}"
    assert after[repo]["not_modified"] == before.get(repo, {}).get("not_modified", 0) + 1
    assert after[repo]["charged"] == before.get(repo, {}).get("charged", 0) + 1


# --- events -----------------------------------------------------------------------------


def test_events_capped_at_300_and_30_days(busy: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = busy
    url = f"{running.url}/users/alice/events/public"
    pages = [session.get(url, params={"per_page": 100, "page": page}) for page in (1, 2, 3)]
    events = [event for page in pages for event in page.json()]
    assert len(events) == 300
    assert pages[0].links["last"]["url"].endswith("page=3")
    stamps = [event["created_at"] for event in events]
    assert stamps == sorted(stamps, reverse=True)
    assert [int(event["id"]) for event in events] == sorted(
        (int(event["id"]) for event in events), reverse=True
    )
    assert session.get(url, params={"per_page": 100, "page": 4}).status_code == 422
    comment_event = events[0]
    assert comment_event["type"] == "IssueCommentEvent"
    assert set(comment_event["actor"]) >= {"id", "login", "display_login", "url", "avatar_url"}
    assert set(comment_event["payload"]) == {"action", "issue", "comment"}
    bob = session.get(f"{running.url}/users/bob/events/public", params={"per_page": 100}).json()
    assert len(bob) == 50  # the 20 comments 40 days ago are past the 30-day window


def test_pull_request_events_are_trimmed(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = tiny
    events = session.get(f"{running.url}/users/alice/events/public").json()
    by_type = {event["type"]: event for event in events}
    review = by_type["PullRequestReviewEvent"]["payload"]
    assert review["review"]["state"] in ("approved", "changes_requested", "commented", "dismissed")
    assert set(review["pull_request"]) == {"url", "id", "number", "head", "base"}
    opened = by_type["PullRequestEvent"]["payload"]
    assert set(opened["pull_request"]) == {"url", "id", "number", "head", "base"}
    assert all(event["repo"]["name"] != "acme/secret" for event in events)


# --- search -------------------------------------------------------------------------------


def test_search_caps_paging_at_1000_results(busy: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = busy
    first = search(session, running.url, "author:alice is:issue", sort="updated", order="asc")
    body = first.json()
    assert body["total_count"] == 1_150 and body["incomplete_results"] is False
    assert first.headers["x-ratelimit-resource"] == "search"
    assert first.links["last"]["url"].endswith("page=10")
    assert len(search(session, running.url, "author:alice", page=10).json()["items"]) == 100
    refused = search(session, running.url, "author:alice", page=11)
    assert refused.status_code == 422
    assert refused.json()["message"] == "Only the first 1000 search results are available"
    item = body["items"][0]
    assert {
        "score",
        "repository_url",
        "labels",
        "user",
        "created_at",
        "updated_at",
        "closed_at",
        "state",
    } <= set(item)


def test_search_qualifiers_and_date_ranges(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = tiny
    url = running.url
    assert sorted(numbers(search(session, url, "author:alice is:pr"))) == [
        ("acme/llm-kit", 3),
        ("acme/site", 1),
        ("alice/llm-kit", 1),
    ]
    assert numbers(search(session, url, "author:bob type:issue", sort="created", order="asc")) == [
        ("acme/llm-kit", 1),
        ("other/ml-lib", 1),
    ]  # the private repo's issue stays hidden
    assert sorted(numbers(search(session, url, "commenter:bob"))) == [("acme/llm-kit", 1)]
    assert sorted(numbers(search(session, url, "reviewed-by:bob"))) == [
        ("acme/llm-kit", 2),
        ("acme/llm-kit", 4),
    ]
    created_range = search(session, url, "repo:acme/llm-kit created:2026-11-02..2026-11-04")
    assert sorted(numbers(created_range)) == [("acme/llm-kit", 3), ("acme/llm-kit", 4)]
    assert numbers(search(session, url, "author:alice created:>=2026-11-20")) == [("acme/llm-kit", 6)]
    before = search(session, url, "author:alice is:pr created:<2026-11-05T10:00:00Z")
    assert numbers(before) == [("acme/llm-kit", 3)]
    exact = search(session, url, "author:bob updated:2026-11-20T10:00:00Z..2026-11-20T10:00:00Z")
    assert numbers(exact) == [("acme/llm-kit", 1)]
    ordered = search(session, url, "repo:acme/llm-kit", sort="updated", order="asc").json()["items"]
    stamps = [item["updated_at"] for item in ordered]
    assert stamps == sorted(stamps)
    merged = search(session, url, "author:alice is:pr").json()["items"]
    assert {item["pull_request"]["merged_at"] is not None for item in merged} == {True, False}
    assert search(session, url, "author:alice no:assignee").status_code == 422


# --- budgets and faults -----------------------------------------------------------------


def test_rate_limit_exhaustion_and_reset() -> None:
    settings = EmulatorSettings(core_limit=3, search_limit=1, reset_seconds=0.6)
    for running, session in serve(build_tiny_world(), settings):
        url = f"{running.url}/users/alice"
        answers = [session.get(url) for _ in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 403]
        refused = answers[-1]
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.json()["message"].startswith("API rate limit exceeded for user ID 1.")
        assert search(session, running.url, "author:alice").status_code == 200  # its own budget
        assert search(session, running.url, "author:alice").status_code == 403
        other_token = session.get(url, headers={"Authorization": "token someone-else"})
        assert other_token.status_code == 200
        assert session.get(f"{running.url}/rate_limit").json()["resources"]["core"]["remaining"] == 0
        time.sleep(0.7)
        assert session.get(url).status_code == 200
        stats = session.get(f"{running.url}/_emulator/stats").json()
        assert stats["endpoints"]["GET /users/{login}"]["rate_limited"] == 1


def test_injected_secondary_limits_and_server_errors() -> None:
    for running, session in serve(build_tiny_world(), EmulatorSettings(secondary_limit_every=3)):
        statuses = [session.get(f"{running.url}/users/alice") for _ in range(6)]
        assert [answer.status_code for answer in statuses] == [200, 200, 403, 200, 200, 403]
        assert statuses[2].headers["retry-after"] == "1"
        assert "secondary rate limit" in statuses[2].json()["message"]
        assert int(statuses[2].headers["x-ratelimit-remaining"]) > 0
    for running, session in serve(build_tiny_world(), EmulatorSettings(fail_rate=1.0)):
        assert session.get(f"{running.url}/users/alice").status_code == 502


# --- accounting, advance, perceval endpoints ------------------------------------------------


def test_stats_count_by_endpoint_template(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = tiny
    session.post(f"{running.url}/_emulator/reset-stats")
    session.get(f"{running.url}/repos/acme/llm-kit/issues/2/comments")
    session.get(f"{running.url}/api/v3/repos/acme/llm-kit/issues/1/comments")
    session.get(f"{running.url}/repos/acme/llm-kit/issues/99")
    stats = session.get(f"{running.url}/_emulator/stats").json()
    comments = stats["endpoints"]["GET /repos/{owner}/{repo}/issues/{number}/comments"]
    assert comments["requests"] == comments["charged"] == comments["ok"] == 2
    assert stats["endpoints"]["GET /repos/{owner}/{repo}/issues/{number}"]["by_status"] == {"404": 1}
    assert stats["total"]["requests"] == 3


def test_perceval_endpoints(tiny: tuple[RunningEmulator, requests.Session]) -> None:
    running, session = tiny
    base = f"{running.url}/api/v3/repos/acme/llm-kit"
    listed = session.get(
        f"{base}/issues",
        params={
            "state": "all",
            "direction": "asc",
            "sort": "updated",
            "since": "2026-11-10T00:00:00+00:00",
            "per_page": "100",
        },
    )
    stamps = [item["updated_at"] for item in listed.json()]
    assert stamps == sorted(stamps) and all(stamp >= "2026-11-10" for stamp in stamps)
    pull = session.get(f"{base}/pulls/3").json()
    assert pull["merged"] is True and pull["merged_by"]["login"] == "alice" and pull["commits"] >= 1
    assert len(session.get(f"{base}/pulls/3/commits").json()) == pull["commits"]
    assert session.get(f"{base}/pulls/1").status_code == 404  # an issue, not a pull request
    assert session.get(f"{base}/pulls/3/comments").json() == []
    assert session.get(f"{base}/pulls/3/requested_reviewers").json() == {"users": [], "teams": []}
    assert isinstance(session.get(f"{base}/issues/1/reactions").json(), list)
    comment_id = session.get(f"{base}/issues/1/comments").json()[0]["id"]
    assert session.get(f"{base}/issues/comments/{comment_id}/reactions").status_code == 200
    assert session.get(f"{running.url}/api/v3/users/alice/orgs").json()[0]["login"] == "acme"
    assert session.get(f"{running.url}/api/v3/users/bob/orgs").json() == []  # concealed membership
    assert [pr["number"] for pr in session.get(f"{base}/pulls", params={"state": "open"}).json()] == [4]


def test_membership_changes_show_in_the_listing_and_windows_bound_the_truth() -> None:
    config = WorldConfig(seed=5, people=12, repos=8, contributions=1_500, days=60, now=NOW)
    for running, session in serve(generate_world(config), EmulatorSettings(search_limit=10_000)):
        control = f"{running.url}/_emulator"
        accounts = session.get(f"{control}/accounts").json()
        leaver = next(a["login"] for a in accounts if a["member"] and a["type"] == "User")
        joiner = max((a for a in accounts if not a["member"]), key=lambda a: a["contributions"])["login"]
        before = session.get(f"{control}/truth", params={"since": "2026-01-01", "rows": "1"}).json()

        changed = session.post(f"{control}/members", json={"join": [joiner], "leave": [leaver]}).json()

        listed = {
            user["login"] for user in session.get(f"{running.url}/orgs/acme/members?per_page=100").json()
        }
        assert joiner in listed and leaver not in listed and sorted(listed) == changed["members"]
        windows = f"{leaver}@..2026-11-01T00:00:00Z,{joiner}@2026-11-01T00:00:00Z.."
        after = session.get(
            f"{control}/truth", params={"since": "2026-01-01", "rows": "1", "windows": windows}
        ).json()
        rows = after["contributions"]
        assert {row["login"] for row in rows} >= {leaver, joiner}
        assert all(row["occurred_at"] < "2026-11-01" for row in rows if row["login"] == leaver)
        assert all(row["occurred_at"] >= "2026-11-01" for row in rows if row["login"] == joiner)
        others = [row for row in before["contributions"] if row["login"] != leaver]
        assert [row for row in rows if row["login"] not in (leaver, joiner)] == others
        refused = session.post(f"{control}/members", json={"join": ["nobody-at-all"]})
        assert refused.status_code == 400


def test_advance_can_be_limited_to_some_authors() -> None:
    config = WorldConfig(seed=5, people=12, repos=8, contributions=1_500, days=60, now=NOW)
    for running, session in serve(generate_world(config), EmulatorSettings(search_limit=10_000)):
        world = running.emulator.world
        acting = [world.members[0].login, world.accounts[-1].login]
        threads, comments, reviews = len(world.threads), len(world.comments), len(world.reviews)

        moved = session.post(
            f"{running.url}/_emulator/advance",
            json={"days": 1, "new_contributions": 100, "seed": 3, "authors": acting},
        ).json()

        assert sum(moved["added"].values()) >= 100
        assert {thread.author.login for thread in world.threads[threads:]} <= set(acting)
        replies = [*world.comments[comments:], *world.reviews[reviews:]]
        # a reply is by one of them, or now and then by the author of the thread it answers
        assert all(reply.author.login in acting or reply.author is reply.thread.author for reply in replies)
        assert sum(reply.author.login in acting for reply in replies) > len(replies) / 2 > 25


def test_advance_adds_activity_and_keeps_etags_when_idle() -> None:
    config = WorldConfig(seed=5, people=12, repos=8, contributions=1_500, days=60, now=NOW)
    for running, session in serve(generate_world(config), EmulatorSettings(search_limit=10_000)):
        url = f"{running.url}/repos/{running.emulator.world.repos[0].full_name}/issues"
        before = session.get(url, params={"state": "all"})
        idle = session.post(
            f"{running.url}/_emulator/advance", json={"days": 0, "new_contributions": 0}
        ).json()
        assert idle["now"] == NOW
        assert session.get(url, params={"state": "all"}).headers["etag"] == before.headers["etag"]
        old_events = [event.id for event in running.emulator.index.events]
        truth_before = session.get(f"{running.url}/_emulator/truth", params={"since": "2026-01-01"}).json()
        assert truth_before["topics"] == ["llm", "machine-learning", "deep-learning"]
        moved = session.post(
            f"{running.url}/_emulator/advance", json={"days": 2, "new_contributions": 200, "seed": 9}
        ).json()
        assert moved["now"] == "2026-11-30T00:00:00Z" and sum(moved["added"].values()) >= 200
        truth_after = session.get(
            f"{running.url}/_emulator/truth",
            params={"since": "2026-01-01", "rows": "1"},
        ).json()
        assert truth_after["until"].startswith("2026-11-30")
        assert truth_after["total"] > truth_before["total"] > 0
        assert len(truth_after["contributions"]) == truth_after["total"]
        new_events = [event.id for event in running.emulator.index.events]
        assert new_events[: len(old_events)] == old_events and len(new_events) > len(old_events)
        world = running.emulator.world
        ids = [thread.id for thread in world.threads]
        assert ids == sorted(ids) and all(thread.created_at < world.now for thread in world.threads)


# --- ground truth and determinism ------------------------------------------------------------


def test_ground_truth_hand_counted() -> None:
    world = build_tiny_world()
    rows = ground_truth(world, "2026-11-01T00:00:00Z", TOPICS)
    assert count_by_kind(rows) == {
        "pr_opened": 1,
        "pr_merged": 2,
        "issue_opened": 2,
        "review": 3,
        "comment": 3,
    }
    assert {row["login"] for row in rows} == {"alice", "bob"}
    merged_ids = {row["github_id"] for row in rows if row["kind"] == "pr_merged"}
    assert merged_ids == {world.repo("acme", "llm-kit").thread_by_number(n).id for n in (2, 3)}  # type: ignore[union-attr]
    with_site = ground_truth(world, "2026-11-01", TOPICS, include=("acme/site",))
    assert count_by_kind(with_site)["pr_opened"] == 2
    assert ground_truth(world, "2026-11-01", TOPICS, until="2026-11-01T00:00:01Z")[0]["kind"] == "comment"
    assert minimum_pages(world, "2026-11-01", TOPICS) == 1 + 1 + 1 + 1 + 2


def fingerprint(world: World) -> list[tuple[Any, ...]]:
    return (
        [
            (account.id, account.login, account.is_member, account.is_public_member)
            for account in world.accounts
        ]
        + [(repo.full_name, repo.topics, repo.fork, repo.private, repo.archived) for repo in world.repos]
        + [
            (t.id, t.repo.full_name, t.number, t.author.login, t.created_at, t.merged_at)
            for t in world.threads
        ]
        + [(c.id, c.author.login, c.created_at) for c in world.comments]
        + [(r.id, r.author.login, str(r.state), r.submitted_at) for r in world.reviews]
    )


def test_generation_is_deterministic_and_fast() -> None:
    config = WorldConfig(seed=7, people=30, repos=15, contributions=4_000, days=120, now=NOW)
    first, second = generate_world(config), generate_world(config)
    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(
        generate_world(WorldConfig(seed=8, people=30, repos=15, contributions=4_000))
    ) != fingerprint(first)
    assert ground_truth(first, "2026-09-01", TOPICS) == ground_truth(second, "2026-09-01", TOPICS)
    kinds = {
        "bots": sum(account.login.endswith("[bot]") and account.is_member for account in first.accounts),
        "concealed": sum(account.is_member and not account.is_public_member for account in first.accounts),
        "forks": sum(repo.fork for repo in first.repos),
        "archived": sum(repo.archived for repo in first.repos),
        "unlicensed": sum(repo.license is None for repo in first.repos),
        "noassertion": sum(
            repo.license is not None and repo.license.spdx_id == "NOASSERTION" for repo in first.repos
        ),
    }
    assert all(count >= 1 for count in kinds.values()), kinds
    started = time.perf_counter()
    big = generate_world(WorldConfig(seed=1, contributions=100_000))
    assert len(big.threads) + len(big.comments) + len(big.reviews) == 100_000
    assert time.perf_counter() - started < 10


# --- the members' share of the activity -------------------------------------------------

SMALL = WorldConfig(seed=3, people=25, repos=12, contributions=3_000, days=90, now=NOW)
SMALL_SINCE = "2026-09-01"
# Recorded from the generator before `member_share` was a parameter (MEMBER_SHARE_OF_ACTIVITY = 0.6).
SMALL_FINGERPRINT_SHA256 = "7ce8277f0bdbeb10bf6a7742581a0452dd083f9c5393e6e9d5fd8a0c6ff3db84"
SMALL_TRUTH_BY_KIND = {"pr_opened": 169, "pr_merged": 98, "issue_opened": 115, "review": 260, "comment": 684}
SMALL_MINIMUM_PAGES = 21


def members_share(world: World, records: Sequence[Thread | Comment | Review]) -> float:
    members = {account.id for account in world.accounts if account.is_member}
    return sum(record.author.id in members for record in records) / len(records)


def test_default_member_share_leaves_the_world_as_it_was() -> None:
    world = generate_world(SMALL)
    assert hashlib.sha256(repr(fingerprint(world)).encode()).hexdigest() == SMALL_FINGERPRINT_SHA256
    assert count_by_kind(ground_truth(world, SMALL_SINCE, TOPICS)) == SMALL_TRUTH_BY_KIND
    assert minimum_pages(world, SMALL_SINCE, TOPICS) == SMALL_MINIMUM_PAGES


def test_member_share_changes_who_does_the_activity_and_nothing_else() -> None:
    realistic = generate_world(replace(SMALL, member_share=0.1))
    standard = generate_world(SMALL)
    assert [(a.id, a.login, a.is_member) for a in realistic.accounts] == [
        (a.id, a.login, a.is_member) for a in standard.accounts
    ]
    assert [repo.full_name for repo in realistic.repos] == [repo.full_name for repo in standard.repos]
    for world, share in ((realistic, 0.1), (standard, 0.6)):
        assert len(world.threads) + len(world.comments) + len(world.reviews) == SMALL.contributions
        for records in (world.threads, world.comments, world.reviews):
            assert abs(members_share(world, records) - share) < 0.03
    counted = len(ground_truth(realistic, SMALL_SINCE, TOPICS))
    assert 0 < counted < sum(SMALL_TRUTH_BY_KIND.values()) / 4


def test_members_do_everything_at_share_one() -> None:
    world = generate_world(replace(SMALL, member_share=1.0))
    for records in (world.threads, world.comments, world.reviews):
        assert members_share(world, records) == 1.0


@pytest.mark.parametrize("value", ["0", "-0.1", "1.01", "nan", "ten"])
def test_member_share_flag_rejects_values_outside_zero_to_one(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    add_world_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--member-share", value])
    assert "argument --member-share" in capsys.readouterr().err


@pytest.mark.parametrize("share", [0.0, 1.5])
def test_generation_rejects_a_member_share_outside_zero_to_one(share: float) -> None:
    with pytest.raises(ValueError, match="member_share must be in"):
        generate_world(replace(SMALL, member_share=share))


def test_member_share_flag_reaches_the_world_config() -> None:
    parser = argparse.ArgumentParser()
    add_world_arguments(parser)
    assert world_config_from(parser.parse_args([])).member_share == 0.6
    assert world_config_from(parser.parse_args(["--member-share", "0.25"])).member_share == 0.25


def test_emulator_process_serves_the_world_of_its_member_share() -> None:
    """The bench's WorldSize reaches `python -m bench.emulator` as --member-share."""
    size = WorldSize(people=25, repos=12, contributions=3_000, days=90, seed=3, member_share=0.1)
    since = datetime.fromisoformat(SMALL_SINCE).replace(tzinfo=UTC)
    with EmulatorProcess(size, now=datetime.fromisoformat(NOW.replace("Z", "+00:00"))) as emulator:
        served = emulator.truth(since, TOPICS, rows=False)
    expected = ground_truth(generate_world(replace(SMALL, member_share=0.1)), SMALL_SINCE, TOPICS)
    assert served["by_kind"] == count_by_kind(expected)
    assert served["total"] == len(expected) < sum(SMALL_TRUTH_BY_KIND.values()) / 4
