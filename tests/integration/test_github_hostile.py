"""The GitHub client against a hostile server on 127.0.0.1: redirects, drips, huge bodies.

Real sockets (not `responses`): the deadline's watchdog and the streamed, capped reads are the
transport's, and only a real server can drip bytes or send another host's address.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.hostile_github import REQUEST_ID, HostileGitHub, answer, drip, drip_status_line, huge, redirect
from tracker.github.client import GitHubClient, transient_retry
from tracker.github.errors import AnswerTooLarge, AnswerTooSlow, UnexpectedAnswer

TOKEN = "ghp_" + "H0st1le" * 5 + "x"
MEGABYTE = 1024 * 1024


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
