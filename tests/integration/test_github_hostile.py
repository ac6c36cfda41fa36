"""The GitHub client against a hostile server on 127.0.0.1: redirects, drips, huge bodies.

Real sockets (not `responses`): the deadline's watchdog and the streamed, capped reads are the
transport's, and only a real server can drip bytes or send another host's address.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.github_world import Issue
from tests.hostile_github import (
    REQUEST_ID,
    HostileGitHub,
    answer,
    drip,
    drip_status_line,
    endless_pages,
    html,
    huge,
    redirect,
    self_signed,
)
from tracker.github.client import GitHubClient, transient_retry
from tracker.github.errors import AnswerTooLarge, AnswerTooSlow, ListingTooLong, UnexpectedAnswer
from tracker.github.fetch import (
    EVENT_PAGES,
    MEMBER_PAGES,
    THREAD_PAGES,
    fetch_issue_comments,
    fetch_org_members,
    fetch_user_events,
)
from tracker.github.records import EventsFetched
from tracker.github.search import search_issues

TOKEN = "ghp_" + "H0st1le" * 5 + "x"
MEGABYTE = 1024 * 1024
NOW = datetime.now(UTC).replace(microsecond=0)
SINCE = NOW - timedelta(days=7)


@pytest.fixture
def hostile() -> Iterator[HostileGitHub]:
    server = HostileGitHub().start()
    yield server
    server.stop()


@pytest.fixture
def foreign() -> Iterator[HostileGitHub]:
    """Another host, where a token must never arrive."""
    server = HostileGitHub().start()
    server.on(".*", answer(200, []))
    yield server
    server.stop()


def client_for(
    server: HostileGitHub, *, deadline: float = 30.0, max_answer_bytes: int = MEGABYTE
) -> GitHubClient:
    return GitHubClient(
        token=TOKEN,
        api_url=server.url,
        retry=transient_retry(backoff_factor=0),
        sleep=lambda seconds: pytest.fail(f"slept {seconds}s"),
        timeout=10,
        deadline=deadline,
        max_answer_bytes=max_answer_bytes,
    )


def one_line(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text
    assert TOKEN not in text
    return text


# --- redirects -----------------------------------------------------------------------------------


def test_a_301_to_the_same_host_is_followed_with_the_token(hostile: HostileGitHub) -> None:
    """A renamed repo: GitHub answers 301 to /repositories/{id}, on the same host."""
    hostile.on("/repos/old/name", redirect(hostile.url + "/repositories/7", status=301))
    hostile.on("/repositories/7", answer(200, {"full_name": "new/name"}))
    client = client_for(hostile)

    response = client.get("/repos/old/name")

    assert response.data == {"full_name": "new/name"}
    assert hostile.paths() == ["/repos/old/name", "/repositories/7"]
    assert [request.authorization for request in hostile.received] == [f"token {TOKEN}"] * 2


@pytest.mark.parametrize("to", ["127.0.0.1", "localhost"])
def test_a_301_to_another_host_or_port_is_refused_and_the_other_host_hears_nothing(
    hostile: HostileGitHub, foreign: HostileGitHub, to: str
) -> None:
    """PyGithub raised a bare RuntimeError for another host ("unexpected error"), and followed
    another port of the same host with the token."""
    elsewhere = foreign.url.replace("127.0.0.1", to)
    hostile.on("/orgs/acme/members", redirect(elsewhere + "{path}", status=301))
    client = client_for(hostile)

    with pytest.raises(UnexpectedAnswer) as caught:
        client.get("/orgs/acme/members", {"per_page": 100})

    port = foreign.url.rsplit(":", 1)[1]
    assert one_line(caught.value) == (
        f"GitHub redirected /orgs/acme/members to http://{to}:{port}; not followed "
        f"(the token goes to the configured API only) (HTTP 301, request id {REQUEST_ID})"
    )
    assert foreign.received == []


def test_a_301_from_https_down_to_http_is_refused(
    tmp_path: Path, foreign: HostileGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same host in clear (on another port here, as one port serves one scheme): the token
    would cross the network unencrypted. PyGithub raised a bare RuntimeError for it."""
    tls, certificate = self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))  # trust the test's own certificate
    secure = HostileGitHub(tls=tls).start()
    try:
        secure.on("/repos/o/n", answer(200, {"full_name": "o/n"}))
        secure.on("/orgs/acme/members", redirect(foreign.url + "{path}", status=301))
        client = client_for(secure)

        assert client.get("/repos/o/n").data == {"full_name": "o/n"}  # TLS works
        with pytest.raises(UnexpectedAnswer) as caught:
            client.get("/orgs/acme/members")
    finally:
        secure.stop()

    assert one_line(caught.value).startswith(
        f"GitHub redirected /orgs/acme/members to {foreign.url}; not followed"
    )
    assert foreign.received == []
    assert [request.authorization for request in secure.received] == [f"token {TOKEN}"] * 2


def test_a_301_loop_stops_after_a_few_redirects(hostile: HostileGitHub) -> None:
    hostile.on("/repos/a/b", redirect(hostile.url + "/repos/c/d", status=301))
    hostile.on("/repos/c/d", redirect(hostile.url + "/repos/a/b", status=301))

    with pytest.raises(UnexpectedAnswer, match=r"^GitHub redirected /repos/\w/\w in a loop; not followed"):
        client_for(hostile).get("/repos/a/b")

    assert len(hostile.received) == 4  # the first request and the 3 redirects followed


def test_a_301_to_itself_stops_at_once(hostile: HostileGitHub) -> None:
    hostile.on("/repos/a/b", redirect(hostile.url + "/repos/a/b", status=301))

    with pytest.raises(UnexpectedAnswer, match="in a loop"):
        client_for(hostile).get("/repos/a/b")

    assert len(hostile.received) == 1


def test_a_202_stops_at_once_instead_of_being_retried_forever(hostile: HostileGitHub) -> None:
    """PyGithub sleeps 2 s (uncancellable) and asks again after a 202, without end."""
    hostile.on("/orgs/acme/members", answer(202, {}))

    started = time.monotonic()
    with pytest.raises(UnexpectedAnswer) as caught:
        client_for(hostile).get("/orgs/acme/members")

    assert one_line(caught.value) == (
        f"GitHub answered /orgs/acme/members 202 (not ready, try later) (HTTP 202, request id {REQUEST_ID})"
    )
    assert time.monotonic() - started < 1.5
    assert len(hostile.received) == 1


# --- every request ends ----------------------------------------------------------------------


def test_an_answer_dripped_a_byte_at_a_time_ends_at_the_deadline(hostile: HostileGitHub) -> None:
    """Each byte comes well within the read timeout, so only an overall deadline ends it."""
    hostile.on("/orgs/acme/members", drip(every=0.2))
    client = client_for(hostile, deadline=1.0)

    started = time.monotonic()
    with pytest.raises(AnswerTooSlow) as caught:
        client.get("/orgs/acme/members")

    assert time.monotonic() - started < 3
    assert one_line(caught.value) == "GitHub took more than 1 s to answer /orgs/acme/members; stopped"
    assert client.stats.caps_hit == {"request deadline": 1}


def test_a_status_line_dripped_a_byte_at_a_time_ends_at_the_deadline(hostile: HostileGitHub) -> None:
    """Before the headers, requests' stream=True is no help: the watchdog shuts the socket."""
    hostile.on("/orgs/acme/members", drip_status_line(every=0.2))
    client = client_for(hostile, deadline=1.0)

    started = time.monotonic()
    with pytest.raises(AnswerTooSlow):
        client.get("/orgs/acme/members")

    assert time.monotonic() - started < 3
    assert len(hostile.received) == 1  # the transport's retries do not start the wait again


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-length"])
def test_a_huge_answer_is_refused_at_the_cap_without_reading_it_all(
    hostile: HostileGitHub, declared: bool
) -> None:
    hostile.on("/orgs/acme/members", huge(20 * MEGABYTE, declared=declared))
    client = client_for(hostile, max_answer_bytes=MEGABYTE)

    with pytest.raises(AnswerTooLarge) as caught:
        client.get("/orgs/acme/members")

    assert (
        one_line(caught.value)
        == "GitHub's answer to /orgs/acme/members is larger than 1 MB; not read (HTTP 200)"
    )
    assert client.stats.caps_hit == {"answer size": 1}


def test_an_answer_under_the_cap_is_read_whole(hostile: HostileGitHub) -> None:
    hostile.on("/orgs/acme/members", huge(MEGABYTE // 2, declared=False))

    response = client_for(hostile, max_answer_bytes=MEGABYTE).get("/orgs/acme/members")

    assert response.data[-1] == {"login": "gus", "type": "User"}


# --- answers that are not what was asked for -------------------------------------------------


class NoCache:
    def get(self, key: str) -> tuple[str, str | None] | None:
        return None

    def put(self, key: str, etag: str, body: str | None) -> None:
        return None


@pytest.mark.parametrize("status", [302, 303, 307, 308])
def test_a_redirect_of_the_member_list_to_another_host_fails_and_is_not_followed(
    hostile: HostileGitHub, foreign: HostileGitHub, status: int
) -> None:
    """It used to read as an empty list: every member deleted, and the sync exited 0."""
    hostile.on("/orgs/acme/members", redirect(foreign.url + "/login?next={path}", status=status))

    with pytest.raises(UnexpectedAnswer) as caught:
        fetch_org_members(client_for(hostile), "acme", NoCache())

    assert one_line(caught.value) == (
        f"GitHub answered /orgs/acme/members with a redirect to {foreign.url}, which is not followed "
        f"(HTTP {status}, request id {REQUEST_ID})"
    )
    assert foreign.received == []


def test_an_html_page_for_the_member_list_fails(hostile: HostileGitHub) -> None:
    hostile.on("/orgs/acme/members", html())

    with pytest.raises(
        UnexpectedAnswer, match=r"^GitHub's answer to /orgs/acme/members is not JSON but text/html"
    ):
        fetch_org_members(client_for(hostile), "acme", NoCache())


def test_a_next_page_on_another_host_is_not_followed(hostile: HostileGitHub, foreign: HostileGitHub) -> None:
    elsewhere = f'<{foreign.url}/repos/o/n/issues/7/comments?page=2>; rel="next"'
    hostile.on("/repos/o/n/issues/7/comments", answer(200, [], {"Link": elsewhere}))

    with pytest.raises(UnexpectedAnswer) as caught:
        list(fetch_issue_comments(client_for(hostile), "o/n", 7, since=SINCE))

    assert one_line(caught.value) == (
        "GitHub's answer to /repos/o/n/issues/7/comments is not what was asked for: its next page is on "
        f"{foreign.url}; not followed (HTTP 200, request id {REQUEST_ID})"
    )
    assert foreign.received == []


# --- listings that never end -----------------------------------------------------------------


def test_an_endless_comment_listing_fails_at_its_page_cap(hostile: HostileGitHub) -> None:
    """An endless Link chain made 1,054 requests in a minute; a thread's comments stop at 100 pages."""
    hostile.on("/repos/o/n/issues/7/comments", endless_pages())
    client = client_for(hostile)

    with pytest.raises(ListingTooLong) as caught:
        list(fetch_issue_comments(client, "o/n", 7, since=SINCE))

    assert one_line(caught.value) == (
        "GitHub's list at /repos/o/n/issues/7/comments goes on past 100 pages, the most it is followed for; "
        "stopped (HTTP 200)"
    )
    assert len(hostile.received) == THREAD_PAGES == 100
    assert client.stats.caps_hit == {"pages of a listing": 1}


def test_an_endless_member_listing_fails_at_its_page_cap(hostile: HostileGitHub) -> None:
    hostile.on("/orgs/acme/members", endless_pages(lambda page: {"login": f"dev{page}", "type": "User"}))

    with pytest.raises(ListingTooLong, match=r"^GitHub's list at /orgs/acme/members goes on past 1000 pages"):
        fetch_org_members(client_for(hostile), "acme", NoCache())

    assert len(hostile.received) == MEMBER_PAGES


def test_an_endless_events_feed_ends_at_its_page_cap_and_leaves_the_gap_to_search(
    hostile: HostileGitHub,
) -> None:
    """The feed may end early (search fills the gap), so its cap cuts it instead of failing."""
    fresh = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    push = {"type": "PushEvent", "created_at": fresh, "repo": {"name": "o/n"}, "payload": {}}
    hostile.on("/users/fay/events/public", endless_pages(lambda page: push))
    client = client_for(hostile)

    feed = fetch_user_events(client, "fay", etag=None, since=SINCE, now=NOW)

    assert isinstance(feed, EventsFetched)
    assert (feed.events, feed.covers_since) == ([], False)
    assert len(hostile.received) == EVENT_PAGES == 10
    assert client.stats.caps_hit == {"pages of a listing": 1}


def test_an_endless_search_ends_at_githubs_tenth_page(hostile: HostileGitHub) -> None:
    issue = Issue("o/n", 1, "fay", "A title", NOW, NOW).to_json()
    page = {"total_count": 1, "incomplete_results": False, "items": [issue]}
    link = f'<{hostile.url}/search/issues?page=2>; rel="next"'
    hostile.on("/search/issues", answer(200, page, {"Link": link, "x-ratelimit-resource": "search"}))

    found = list(search_issues(client_for(hostile), "author:fay", start=SINCE, end=NOW))

    assert len(found) == 10
    assert len(hostile.received) == 10
