"""GitHubClient and the fetchers against `responses` (strict), with a fake clock: nothing really sleeps."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
import requests
import responses
from responses import matchers
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from tests.github_world import API, GitHubWorld, Issue, etag_of, event, parse, repository, user
from tracker.domain import OrgMember
from tracker.github.client import GitHubClient, transient_retry
from tracker.github.errors import (
    AuthenticationError,
    ForbiddenError,
    GitHubError,
    NotFoundError,
    SearchLimitError,
    UnreachableError,
    WaitTooLong,
)
from tracker.github.fetch import (
    OrganizationNotFound,
    fetch_issue_if_changed,
    fetch_org_members,
    fetch_user_events,
)
from tracker.github.records import EventsFetched, IssueFetched, NotModified, UserEvent
from tracker.github.search import search_issues

TOKEN = "ghp_" + "T0kEn5ecret" * 3 + "xyz"
GHES = "https://ghe.example.com/api/v3"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REQUEST_ID = "C0DE:1F2E3D:4A5B6C:7D8E9F:6745A2B1"
RATE_LIMIT_MESSAGE = {
    "message": "API rate limit exceeded for user ID 583231.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}
SECONDARY_MESSAGE = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    f"If you reach out to GitHub Support for help, please include the request ID {REQUEST_ID}.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
}


# --- helpers -------------------------------------------------------------------------------


@dataclass
class FakeTime:
    """A clock that only moves when the client sleeps."""

    now: float = NOW.timestamp()
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Harness:
    mock: responses.RequestsMock
    time: FakeTime
    messages: list[str]
    client: GitHubClient

    def sent(self) -> list[str]:
        """Every URL sent, without the explicit :443 the transport adds."""
        return [normalized(str(call.request.url)) for call in self.mock.calls]


def normalized(url: str) -> str:
    """The URL without the explicit :443 the transport adds, its query sorted (PyGithub sorts it)."""
    parts = urlparse(url)
    query = urlencode(sorted(parse_qsl(parts.query)))
    return f"{parts.scheme}://{parts.hostname}{parts.path}" + (f"?{query}" if query else "")


def url(path: str, api: str = API) -> re.Pattern[str]:
    """Matches api + path with or without :443, with any query (see `query`)."""
    parts = urlparse(api)
    prefix = re.escape(f"{parts.scheme}://{parts.hostname}") + r"(:443)?" + re.escape(parts.path)
    return re.compile(prefix + re.escape(path) + r"(\?.*)?$")


def query(**params: object) -> list[Any]:
    """A matcher for exactly these query parameters, in any order."""
    return [matchers.query_param_matcher({name: str(value) for name, value in params.items()})]


def rate_headers(
    remaining: int = 4999, reset: float | None = None, resource: str = "core", **extra: str
) -> dict[str, str]:
    reset_at = int(reset if reset is not None else NOW.timestamp() + 3600)
    return {
        "x-github-request-id": REQUEST_ID,
        "x-ratelimit-limit": "30" if resource == "search" else "5000",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset_at),
        "x-ratelimit-used": "1",
        "x-ratelimit-resource": resource,
        **extra,
    }


def make_client(time: FakeTime, messages: list[str], api: str = API) -> GitHubClient:
    return GitHubClient(
        token=TOKEN,
        api_url=api,
        report=messages.append,
        sleep=time.sleep,
        clock=time.clock,
        retry=transient_retry(backoff_factor=0),
    )


@pytest.fixture
def gh() -> Iterator[Harness]:
    with responses.RequestsMock() as mock:
        time, messages = FakeTime(), []
        client = make_client(time, messages)
        yield Harness(mock, time, messages, client)
        client.close()


def sent_at(time: FakeTime, moments: list[float], status: int, body: Any, headers: dict[str, str]) -> Any:
    """A responses callback that notes the fake time at which the request was sent."""

    def callback(_request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        moments.append(time.now)
        return status, headers, json.dumps(body)

    return callback


# --- rate limits ---------------------------------------------------------------------------


def test_403_with_spent_budget_waits_until_reset_then_succeeds(gh: Harness) -> None:
    reset = gh.time.now + 120
    moments: list[float] = []
    gh.mock.add_callback(
        responses.GET,
        url("/repos/o/n"),
        callback=sent_at(gh.time, moments, 403, RATE_LIMIT_MESSAGE, rate_headers(0, reset)),
    )
    gh.mock.add_callback(
        responses.GET,
        url("/repos/o/n"),
        callback=sent_at(gh.time, moments, 200, {"full_name": "o/n"}, rate_headers(4999, reset + 3600)),
    )

    response = gh.client.get("/repos/o/n")

    assert (response.status, response.data) == (200, {"full_name": "o/n"})
    assert gh.time.slept == [121.0]
    assert gh.messages == ["waiting 2m 01s (until 12:02:01 UTC): the core rate limit is used up"]
    assert moments == [NOW.timestamp(), reset + 1]
    assert (gh.client.stats.requests, gh.client.stats.waited_seconds) == (2, 121.0)


def test_200_with_no_budget_left_makes_the_next_request_wait_before_it_is_sent(gh: Harness) -> None:
    reset = gh.time.now + 300
    moments: list[float] = []
    gh.mock.add_callback(
        responses.GET,
        url("/repos/o/a"),
        callback=sent_at(gh.time, moments, 200, {"full_name": "o/a"}, rate_headers(0, reset)),
    )
    gh.mock.add_callback(
        responses.GET,
        url("/repos/o/b"),
        callback=sent_at(gh.time, moments, 200, {"full_name": "o/b"}, rate_headers(4999, reset + 3600)),
    )

    first = gh.client.get("/repos/o/a")
    slept_after_first = list(gh.time.slept)
    second = gh.client.get("/repos/o/b")

    assert (first.data, second.data) == ({"full_name": "o/a"}, {"full_name": "o/b"})
    assert slept_after_first == []
    assert gh.time.slept == [301.0]
    assert moments == [NOW.timestamp(), reset + 1]
    assert gh.messages == ["waiting 5m 01s (until 12:05:01 UTC): the core rate limit is used up"]


def test_a_spent_search_budget_does_not_delay_core_requests(gh: Harness) -> None:
    gh.mock.get(
        url("/search/issues"),
        json={"total_count": 0, "incomplete_results": False, "items": []},
        headers=rate_headers(0, gh.time.now + 50, resource="search"),
    )
    gh.mock.get(url("/repos/o/n"), json={"full_name": "o/n"}, headers=rate_headers(4000))

    gh.client.get("/search/issues", {"q": "author:fay"})
    gh.client.get("/repos/o/n")

    search, core = gh.client.budget("search"), gh.client.budget("core")
    assert gh.time.slept == []
    assert search is not None and search.remaining == 0
    assert core is not None and core.remaining == 4000


@pytest.mark.parametrize("status", [403, 429])
def test_retry_after_is_waited_for(gh: Harness, status: int) -> None:
    """The client does the waiting, not the transport: reported, counted, through the injected sleep."""
    gh.mock.get(
        url("/repos/o/n"),
        status=status,
        json=SECONDARY_MESSAGE,
        headers=rate_headers(4000, **{"retry-after": "30"}),
    )
    gh.mock.get(url("/repos/o/n"), json={"full_name": "o/n"}, headers=rate_headers(3999))

    response = gh.client.get("/repos/o/n")

    assert response.data == {"full_name": "o/n"}
    assert gh.time.slept == [30.0]
    assert gh.messages == [
        "waiting 0m 30s (until 12:00:30 UTC): GitHub asked to retry later (secondary rate limit)"
    ]
    assert gh.client.stats.waited_seconds == 30.0


def test_secondary_limit_without_retry_after_backs_off_exponentially(gh: Harness) -> None:
    gh.mock.get(url("/repos/o/n"), status=403, json=SECONDARY_MESSAGE, headers=rate_headers(4000))
    gh.mock.get(url("/repos/o/n"), status=403, json=SECONDARY_MESSAGE, headers=rate_headers(3999))
    gh.mock.get(url("/repos/o/n"), json={"full_name": "o/n"}, headers=rate_headers(3998))

    response = gh.client.get("/repos/o/n")

    assert response.status == 200
    assert gh.time.slept == [60.0, 120.0]
    assert gh.messages == [
        "waiting 1m 00s (until 12:01:00 UTC): GitHub's secondary rate limit",
        "waiting 2m 00s (until 12:03:00 UTC): GitHub's secondary rate limit",
    ]


def test_a_plain_403_is_an_error_not_a_wait(gh: Harness) -> None:
    sso = "Resource protected by organization SAML enforcement. You must grant your token access to this org."
    gh.mock.get(url("/orgs/acme/members"), status=403, json={"message": sso}, headers=rate_headers(4000))

    with pytest.raises(ForbiddenError) as caught:
        gh.client.get("/orgs/acme/members", {"per_page": 100})

    assert (
        str(caught.value) == f"GitHub refused /orgs/acme/members: {sso} (HTTP 403, request id {REQUEST_ID})"
    )
    assert gh.time.slept == []
    assert len(gh.mock.calls) == 1


# --- every wait ends -----------------------------------------------------------------------

TEN_YEARS = 10 * 365 * 86_400


@pytest.mark.parametrize("status", [403, 429])
def test_a_retry_after_ten_years_away_stops_at_once_with_one_line(gh: Harness, status: int) -> None:
    """It used to be obeyed: 21 waits of an hour, then an error."""
    headers = rate_headers(4000, **{"retry-after": str(TEN_YEARS)})
    gh.mock.get(url("/search/issues"), status=status, json=SECONDARY_MESSAGE, headers=headers)

    with pytest.raises(WaitTooLong) as caught:
        gh.client.get("/search/issues", {"q": "author:fay"})

    assert str(caught.value) == (
        "waiting 3,650 days before /search/issues (GitHub asked to retry later (secondary rate limit)) "
        "would pass the 60-minute cap ([github] max_wait_minutes); stopped: what was fetched is kept "
        f"and the next run resumes (HTTP {status}, request id {REQUEST_ID})"
    )
    assert "\n" not in str(caught.value)
    assert (gh.time.slept, len(gh.mock.calls)) == ([], 1)
    assert gh.client.stats.caps_hit == {"rate-limit wait": 1}


def test_a_reset_far_away_stops_instead_of_waiting_again_and_again(gh: Harness) -> None:
    headers = rate_headers(0, reset=gh.time.now + TEN_YEARS)
    gh.mock.get(url("/repos/o/n"), status=403, json=RATE_LIMIT_MESSAGE, headers=headers)

    with pytest.raises(WaitTooLong, match=r"^waiting 3,650 days before /repos/o/n \(the core rate limit"):
        gh.client.get("/repos/o/n")

    assert gh.time.slept == []


def test_a_spent_budget_with_a_far_reset_stops_before_the_next_request_is_sent(gh: Harness) -> None:
    gh.mock.get(
        url("/repos/o/a"), json={"full_name": "o/a"}, headers=rate_headers(0, gh.time.now + TEN_YEARS)
    )

    gh.client.get("/repos/o/a")
    with pytest.raises(WaitTooLong) as caught:
        gh.client.get("/repos/o/b")

    assert (caught.value.status, caught.value.request_id) == (None, None)
    assert len(gh.mock.calls) == 1
    assert gh.time.slept == []


def test_a_reset_an_hour_away_is_still_waited_for(gh: Harness) -> None:
    gh.mock.get(
        url("/repos/o/n"), status=403, json=RATE_LIMIT_MESSAGE, headers=rate_headers(0, gh.time.now + 3600)
    )
    gh.mock.get(url("/repos/o/n"), json={"full_name": "o/n"}, headers=rate_headers(4999))

    assert gh.client.get("/repos/o/n").status == 200
    assert gh.time.slept == [3601.0]


@pytest.mark.parametrize("value", ["inf", "nan", "-30", "soon"])
def test_a_retry_after_that_is_no_number_of_seconds_waits_githubs_minute_instead_of_crashing(
    gh: Harness, value: str
) -> None:
    headers = rate_headers(4000, **{"retry-after": value})
    gh.mock.get(url("/repos/o/n"), status=403, json=SECONDARY_MESSAGE, headers=headers)
    gh.mock.get(url("/repos/o/n"), json={"full_name": "o/n"}, headers=rate_headers(3999))

    assert gh.client.get("/repos/o/n").status == 200
    assert gh.time.slept == [60.0]


def test_the_cap_is_the_clients_to_set(gh: Harness) -> None:
    """A 5-minute cap stops on the 10-minute secondary-limit backoff that the default cap waits for."""
    time, messages = FakeTime(), []
    client = GitHubClient(
        token=TOKEN, api_url=API, sleep=time.sleep, clock=time.clock, report=messages.append, max_wait=300
    )
    gh.mock.get(url("/repos/o/n"), status=403, json=SECONDARY_MESSAGE, headers=rate_headers(4000))

    with pytest.raises(WaitTooLong, match="would pass the 5-minute cap"):
        client.get("/repos/o/n")  # the first backoff is a minute, then 2, 4, 8 (over the cap)

    assert time.slept == [60.0, 120.0, 240.0]
    client.close()


# --- errors --------------------------------------------------------------------------------


def test_401_raises_authentication_error_without_the_token(gh: Harness) -> None:
    gh.mock.get(
        url("/orgs/acme/members"),
        status=401,
        json={
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/rest",
            "status": "401",
        },
        headers={"x-github-request-id": REQUEST_ID},
    )

    with pytest.raises(AuthenticationError) as caught:
        gh.client.get("/orgs/acme/members")

    error = caught.value
    assert str(error) == (
        f"GitHub rejected the token (Bad credentials); check GITHUB_TOKEN (HTTP 401, request id {REQUEST_ID})"
    )
    assert (error.status, error.request_id) == (401, REQUEST_ID)
    assert gh.mock.calls[0].request.headers["Authorization"] == f"token {TOKEN}"
    assert TOKEN not in str(error) and TOKEN not in repr(error.args)


def test_404_raises_not_found_naming_the_path(gh: Harness) -> None:
    gh.mock.get(
        url("/repos/acme/gone"), status=404, json={"message": "Not Found"}, headers=rate_headers(4000)
    )

    with pytest.raises(NotFoundError) as caught:
        gh.client.get("/repos/acme/gone", {"per_page": 100})

    assert str(caught.value) == f"not found: /repos/acme/gone (HTTP 404, request id {REQUEST_ID})"
    assert caught.value.status == 404


def test_422_raises_search_limit_error(gh: Harness) -> None:
    message = "Only the first 1000 search results are available"
    gh.mock.get(
        url("/search/issues"),
        status=422,
        json={"message": message},
        headers=rate_headers(20, resource="search"),
    )

    with pytest.raises(SearchLimitError) as caught:
        gh.client.get("/search/issues", {"q": "author:fay", "page": 11})

    assert (
        str(caught.value) == f"GitHub rejected /search/issues: {message} (HTTP 422, request id {REQUEST_ID})"
    )


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_are_retried_by_the_transport(gh: Harness, status: int) -> None:
    gh.mock.get(
        url("/repos/o/n"),
        status=status,
        json={"message": "Server Error"},
        headers={"x-github-request-id": REQUEST_ID},
    )
    gh.mock.get(url("/repos/o/n"), json={"full_name": "o/n"}, headers=rate_headers(4000))

    response = gh.client.get("/repos/o/n")

    assert response.data == {"full_name": "o/n"}
    assert len(gh.mock.calls) == 2
    assert gh.time.slept == []


def test_a_persistent_502_ends_in_an_error_naming_status_and_request_id(gh: Harness) -> None:
    gh.mock.get(
        url("/repos/o/n/issues"),
        status=502,
        json={"message": "Server Error"},
        headers={"x-github-request-id": REQUEST_ID},
    )

    with pytest.raises(GitHubError) as caught:
        gh.client.get("/repos/o/n/issues", {"state": "all"})

    assert type(caught.value) is GitHubError
    assert str(caught.value) == (
        "GitHub kept failing on /repos/o/n/issues after retries: Server Error "
        f"(HTTP 502, request id {REQUEST_ID})"
    )
    assert (caught.value.status, caught.value.request_id) == (502, REQUEST_ID)
    assert len(gh.mock.calls) == 6  # the first answer and transient_retry's 5 retries


def _gave_up(reason: Exception) -> requests.exceptions.ConnectionError:
    """What requests raises once urllib3 has spent its retries: the last reason, wrapped twice."""
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/repos/o/n", reason))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (
            _gave_up(NameResolutionError("api.github.com", None, socket.gaierror(-2, "Name unknown"))),  # type: ignore[arg-type]
            "its host name does not resolve",
        ),
        (
            _gave_up(
                NewConnectionError(
                    None, "Failed to establish a new connection: [Errno 111] Connection refused"
                )
            ),  # type: ignore[arg-type]
            "the connection was refused",
        ),
        (requests.exceptions.ReadTimeout("read timed out (read timeout=30)"), "no answer within the timeout"),
        (requests.exceptions.SSLError("certificate verify failed"), "the TLS handshake failed"),
    ],
)
def test_an_unreachable_api_names_the_url_the_reason_and_what_to_do(
    gh: Harness, failure: requests.exceptions.RequestException, reason: str
) -> None:
    gh.mock.get(url("/repos/o/n"), body=failure)

    with pytest.raises(UnreachableError) as caught:
        gh.client.get("/repos/o/n", {"q": "secret search terms"})

    message = str(caught.value)
    assert message.startswith(f"cannot reach the GitHub API at https://api.github.com/repos/o/n: {reason}")
    assert "check the network, and GITHUB_API_URL or [github] api_url" in message
    assert "secret search terms" not in message
    assert caught.value.status is None
    assert gh.client.stats.requests == 0


# --- conditional requests and accounting ---------------------------------------------------


def test_a_304_is_counted_as_not_modified_and_costs_no_budget(gh: Harness) -> None:
    etag = 'W/"6a5d0f4c2b1e"'
    gh.mock.get(url("/repos/o/n"), status=304, body="", headers=rate_headers(4000, etag=etag))
    gh.mock.get(url("/repos/o/m"), json={"full_name": "o/m"}, headers=rate_headers(3999, etag='"1"'))

    cached = gh.client.get("/repos/o/n", etag=etag, endpoint="GET /repos/{owner}/{repo}")
    fresh = gh.client.get("/repos/o/m", endpoint="GET /repos/{owner}/{repo}")

    assert gh.mock.calls[0].request.headers["If-None-Match"] == etag
    assert "If-None-Match" not in gh.mock.calls[1].request.headers
    assert (cached.status, cached.not_modified, cached.data, cached.etag) == (304, True, None, etag)
    assert (fresh.not_modified, fresh.etag) == (False, '"1"')
    stats = gh.client.stats
    assert (stats.requests, stats.not_modified, stats.rate_limited) == (2, 1, 1)
    assert stats.by_endpoint == {"GET /repos/{owner}/{repo}": 2}


def test_a_date_without_an_etag_is_sent_as_if_modified_since_and_its_304_is_free(gh: Harness) -> None:
    etag = 'W/"4f1e"'
    since = datetime(2026, 11, 3, 10, 0, 30, tzinfo=UTC)
    gh.mock.get(
        url("/repos/o/n/issues/7"),
        status=304,
        body="",
        headers=rate_headers(4000, etag=etag, **{"last-modified": "Tue, 03 Nov 2026 10:00:30 GMT"}),
        match=[matchers.header_matcher({"If-Modified-Since": "Tue, 03 Nov 2026 10:00:30 GMT"})],
    )

    response = gh.client.get("/repos/o/n/issues/7", modified_since=since)

    assert "If-None-Match" not in gh.mock.calls[0].request.headers
    assert (response.not_modified, response.etag, response.last_modified) == (True, etag, since)
    assert (gh.client.stats.not_modified, gh.client.stats.rate_limited) == (1, 0)


def test_with_an_etag_the_date_is_not_sent(gh: Harness) -> None:
    etag = 'W/"4f1e"'
    gh.mock.get(url("/repos/o/n/issues/7"), status=304, body="", headers=rate_headers(4000, etag=etag))

    gh.client.get("/repos/o/n/issues/7", etag=etag, modified_since=datetime(2026, 11, 3, tzinfo=UTC))

    sent = gh.mock.calls[0].request.headers
    assert sent["If-None-Match"] == etag
    assert "If-Modified-Since" not in sent


def test_requests_carry_the_api_version_and_accept_headers(gh: Harness) -> None:
    gh.mock.get(url("/repos/o/n"), json={"full_name": "o/n"}, headers=rate_headers())

    gh.client.get("/repos/o/n")

    headers = gh.mock.calls[0].request.headers
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert headers["User-Agent"].startswith("tracker")


# --- pagination and GitHub Enterprise ------------------------------------------------------


def issue_page(numbers: range) -> list[dict[str, Any]]:
    return [Issue("o/n", number, "fay", f"Change {number}", NOW, NOW).to_json() for number in numbers]


def link(api: str, **pages: int) -> str:
    base = f"{api}/repositories/1000/issues?per_page=3&state=all&page="
    return ", ".join(f'<{base}{page}>; rel="{rel}"' for rel, page in pages.items())


@pytest.mark.parametrize("api", [API, GHES])
def test_paginate_follows_link_next_on_the_configured_host(api: str) -> None:
    with responses.RequestsMock() as mock:
        time, messages = FakeTime(), []
        client = make_client(time, messages, api=api)
        mock.get(
            url("/repos/o/n/issues", api),
            match=query(per_page=3, state="all"),
            json=issue_page(range(1, 4)),
            headers=rate_headers(4999, link=link(api, next=2, last=3)),
        )
        mock.get(
            url("/repositories/1000/issues", api),
            match=query(per_page=3, state="all", page=2),
            json=issue_page(range(4, 7)),
            headers=rate_headers(4998, link=link(api, prev=1, next=3, last=3, first=1)),
        )
        mock.get(
            url("/repositories/1000/issues", api),
            match=query(per_page=3, state="all", page=3),
            json=issue_page(range(7, 8)),
            headers=rate_headers(4997, link=link(api, prev=2, first=1)),
        )

        pages = list(client.paginate("/repos/o/n/issues", {"per_page": 3, "state": "all"}, endpoint="issues"))

        assert [[issue["number"] for issue in page.data] for page in pages] == [[1, 2, 3], [4, 5, 6], [7]]
        assert [normalized(str(call.request.url)) for call in mock.calls] == [
            f"{api}/repos/o/n/issues?per_page=3&state=all",
            f"{api}/repositories/1000/issues?page=2&per_page=3&state=all",
            f"{api}/repositories/1000/issues?page=3&per_page=3&state=all",
        ]
        assert client.stats.by_endpoint == {"issues": 3}
        client.close()


def test_paginate_asks_for_100_per_page_by_default(gh: Harness) -> None:
    gh.mock.get(url("/repos/o/n/pulls/1/reviews"), match=query(per_page=100), json=[], headers=rate_headers())

    pages = list(gh.client.paginate("/repos/o/n/pulls/1/reviews"))

    assert [page.data for page in pages] == [[]]
    assert gh.sent() == [f"{API}/repos/o/n/pulls/1/reviews?per_page=100"]


def test_a_ghes_base_url_is_used_for_every_request() -> None:
    with responses.RequestsMock() as mock:
        time, messages = FakeTime(), []
        client = make_client(time, messages, api=GHES + "/")
        mock.get(url("/repos/ml/llm", GHES), json=repository("ml/llm"), headers=rate_headers())
        mock.get(
            url("/search/issues", GHES),
            json={"total_count": 0, "incomplete_results": False, "items": []},
            headers=rate_headers(resource="search"),
        )

        client.get("/repos/ml/llm")
        client.get("/search/issues", {"q": "author:fay"})

        assert [normalized(str(call.request.url)) for call in mock.calls] == [
            f"{GHES}/repos/ml/llm",
            f"{GHES}/search/issues?q=author%3Afay",
        ]
        client.close()


# --- fetchers ------------------------------------------------------------------------------


class DictCache:
    """An EtagCache in a dict, as the store keeps it between runs."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, str | None]] = {}

    def get(self, key: str) -> tuple[str, str | None] | None:
        return self.entries.get(key)

    def put(self, key: str, etag: str, body: str | None) -> None:
        self.entries[key] = (etag, body)


@pytest.fixture
def world() -> Iterator[GitHubWorld]:
    world = GitHubWorld(now=NOW)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        yield world


def world_client() -> tuple[GitHubClient, FakeTime]:
    time = FakeTime()
    return make_client(time, []), time


def test_fetch_org_members_replays_cached_pages_on_304(world: GitHubWorld) -> None:
    for index in range(149):
        world.add_member(f"dev{index:03d}")
    world.add_member("acme-bot", user_type="Bot")
    cache = DictCache()
    first_client, _ = world_client()

    first = fetch_org_members(first_client, "acme", cache)
    second_client, _ = world_client()
    second = fetch_org_members(second_client, "acme", cache)

    assert len(first) == 150
    assert first[-1] == OrgMember("acme-bot", "Bot", user("acme-bot")["id"])
    assert second == first
    assert len(cache.entries) == 2
    assert world.requests == [("/orgs/acme/members", 200)] * 2 + [("/orgs/acme/members", 304)] * 2
    assert (first_client.stats.rate_limited, first_client.stats.not_modified) == (2, 0)
    assert (second_client.stats.rate_limited, second_client.stats.not_modified) == (0, 2)


def test_fetch_org_members_takes_a_changed_page_fresh(world: GitHubWorld) -> None:
    for index in range(120):
        world.add_member(f"dev{index:03d}")
    cache = DictCache()
    fetch_org_members(world_client()[0], "acme", cache)
    world.add_member("newcomer")

    members = fetch_org_members(world_client()[0], "acme", cache)

    assert len(members) == 121
    assert members[-1] == OrgMember("newcomer", "User", user("newcomer")["id"])
    assert world.requests[2:] == [("/orgs/acme/members", 304), ("/orgs/acme/members", 200)]


def test_fetch_org_members_of_an_unknown_org_raises_organization_not_found(world: GitHubWorld) -> None:
    with pytest.raises(OrganizationNotFound) as caught:
        fetch_org_members(world_client()[0], "acme-typo", DictCache())

    assert str(caught.value) == (
        "organization 'acme-typo' not found (check [github] org and api_url) "
        "(HTTP 404, request id 0000:00000:0000000:0000000:00000000)"
    )
    assert isinstance(caught.value, NotFoundError)


def add_hourly_events(
    world: GitHubWorld, login: str, count: int, *, step: timedelta = timedelta(hours=1)
) -> None:
    repo = world.add_repo("huggingface/transformers")
    for age in reversed(range(count)):  # oldest first, so the feed ends up newest first
        world.add_event(
            login, event("IssueCommentEvent", login, repo, {"action": "created"}, NOW - age * step)
        )


def test_fetch_user_events_stops_paging_once_events_reach_since(world: GitHubWorld) -> None:
    add_hourly_events(world, "fay", 250)
    since = NOW - timedelta(hours=150)

    result = fetch_user_events(world_client()[0], "fay", etag=None, since=since, now=NOW)

    assert world.count(lambda path: path == "/users/fay/events/public") == 2
    assert isinstance(result, EventsFetched)
    assert result.covers_since is True
    assert len(result.events) == 151
    assert result.events[0].created_at == datetime(2026, 11, 22, 6, tzinfo=UTC)  # oldest first
    assert result.events[-1].created_at == datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert result.etag is not None and result.etag.startswith('W/"')


def test_fetch_user_events_not_modified(world: GitHubWorld) -> None:
    add_hourly_events(world, "fay", 3)
    since = NOW - timedelta(days=1)
    first = fetch_user_events(world_client()[0], "fay", etag=None, since=since, now=NOW)
    assert isinstance(first, EventsFetched)

    again = fetch_user_events(world_client()[0], "fay", etag=first.etag, since=since, now=NOW)

    assert again == NotModified(etag=first.etag)
    assert world.requests[-1] == ("/users/fay/events/public", 304)


def test_fetch_issue_since_its_updated_at_is_304_until_it_changes(world: GitHubWorld) -> None:
    world.add_repo("huggingface/transformers")
    pr = world.add_issue("huggingface/transformers", "fay", NOW - timedelta(days=2), is_pull_request=True)
    seen = pr.updated_at
    client, _ = world_client()

    unchanged = fetch_issue_if_changed(client, pr.repo, pr.number, etag=None, modified_since=seen)
    pr.state = "closed"
    pr.closed_at = pr.merged_at = pr.updated_at = seen + timedelta(seconds=1)
    merged = fetch_issue_if_changed(client, pr.repo, pr.number, etag=None, modified_since=seen)

    path = f"/repos/{pr.repo}/issues/{pr.number}"
    assert world.requests == [(path, 304), (path, 200)]
    assert isinstance(unchanged, NotModified) and unchanged.etag is not None
    assert isinstance(merged, IssueFetched)
    assert merged.issue.merged_at == pr.updated_at
    assert merged.etag == etag_of(pr.to_json())
    assert merged.last_modified == pr.updated_at
    assert (client.stats.not_modified, client.stats.rate_limited) == (1, 1)


@pytest.mark.parametrize(
    ("since", "covers"),
    [
        (NOW - timedelta(days=7), True),  # the whole feed is short and within its 30-day retention
        (NOW - timedelta(days=29), True),
        (NOW - timedelta(days=45), False),  # older events may have dropped out of the feed
    ],
)
def test_a_short_feed_covers_since_only_within_retention(
    world: GitHubWorld, since: datetime, covers: bool
) -> None:
    add_hourly_events(world, "gus", 5)

    result = fetch_user_events(world_client()[0], "gus", etag=None, since=since, now=NOW)

    assert isinstance(result, EventsFetched)
    assert (len(result.events), result.covers_since) == (5, covers)


def test_fetch_user_events_treats_a_422_past_the_cap_as_the_end() -> None:
    repo = repository("huggingface/transformers")
    feed = [
        event("PullRequestReviewEvent", "fay", repo, {"action": "created"}, NOW - timedelta(minutes=9 * age))
        for age in range(300)
    ]
    events_url = f"{API}/users/fay/events/public"
    capped = {
        "message": "In order to keep the API fast for everyone, pagination is limited for this resource.",
        "documentation_url": "https://docs.github.com/v3/#pagination",
        "status": "422",
    }
    with responses.RequestsMock() as mock:
        for page in (1, 2, 3):
            mock.get(
                url("/users/fay/events/public"),
                match=query(per_page=100, **({"page": page} if page > 1 else {})),
                json=feed[(page - 1) * 100 : page * 100],
                headers=rate_headers(
                    5000 - page, link=f'<{events_url}?per_page=100&page={page + 1}>; rel="next"'
                ),
            )
        mock.get(
            url("/users/fay/events/public"),
            match=query(per_page=100, page=4),
            status=422,
            json=capped,
            headers=rate_headers(4996),
        )

        result = fetch_user_events(
            world_client()[0], "fay", etag=None, since=NOW - timedelta(days=7), now=NOW
        )

        assert len(mock.calls) == 4
    assert isinstance(result, EventsFetched)
    assert result.events == [
        UserEvent("huggingface/transformers", parse(item["created_at"]), None, repo["id"])
        for item in reversed(feed)
    ]
    assert result.covers_since is False


def add_search_issues(
    world: GitHubWorld, author: str, first: datetime, count: int, step: timedelta
) -> list[Issue]:
    return [
        world.add_issue("huggingface/transformers", author, first + index * step, title=f"{author} {index}")
        for index in range(count)
    ]


def test_search_issues_splits_a_range_over_1000_results_and_yields_each_item_once(world: GitHubWorld) -> None:
    world.search_remaining = 10_000
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    wanted = add_search_issues(world, "fay", start, 2400, timedelta(minutes=15))
    add_search_issues(world, "gus", start, 50, timedelta(hours=1))
    world.add_issue("huggingface/transformers", "fay", start - timedelta(seconds=1), title="before")
    world.add_issue("huggingface/transformers", "fay", end, title="at the end, excluded")
    client, time = world_client()

    found = list(search_issues(client, "author:fay", start=start, end=end))

    assert [item.github_id for item in found] == [issue.id for issue in wanted]
    # the whole month (2400) and its first half (1488) are too big; the first half's quarters take
    # 8 pages each, the second half (912) 10 pages
    assert client.stats.by_endpoint["GET /search/issues"] == 1 + 1 + 8 + 8 + 10
    assert world.count(lambda path: path == "/search/issues", status=422) == 0
    assert time.slept == []


def test_search_issues_streams_a_slice_page_by_page(world: GitHubWorld) -> None:
    """A slice of up to 1,000 results is not held in memory: pages are asked as they are read."""
    world.search_remaining = 10_000
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    add_search_issues(world, "fay", start, 250, timedelta(hours=2))
    client, _time = world_client()

    found = search_issues(client, "author:fay", start=start, end=end)
    first_page = [next(found) for _ in range(100)]
    asked_for_one_page = client.stats.by_endpoint["GET /search/issues"]
    rest = list(found)

    assert asked_for_one_page == 1
    assert len(first_page) + len(rest) == 250
    assert client.stats.by_endpoint["GET /search/issues"] == 3


def test_search_issues_reports_a_second_with_more_than_1000_results(world: GitHubWorld) -> None:
    world.search_remaining = 10_000
    moment = datetime(2026, 10, 1, 12, 0, 0, tzinfo=UTC)
    add_search_issues(world, "fay", moment, 1100, timedelta(0))
    messages: list[str] = []

    found = list(
        search_issues(
            world_client()[0],
            "author:fay",
            start=moment - timedelta(seconds=8),
            end=moment + timedelta(seconds=8),
            report=messages.append,
        )
    )

    assert len(found) == 1000
    assert len({item.github_id for item in found}) == 1000
    assert messages == [
        "search for 'author:fay' near 2026-10-01 12:00:00 has 1100 results; only the first 1000 are reachable"
    ]
