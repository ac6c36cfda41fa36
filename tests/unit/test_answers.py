"""github/answers.py: an answer is believed only if it is the status the call expects and JSON of
the shape asked for; anything else is one line naming the path, the status and the request id."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.github_world import Comment
from tracker.github.answers import ApiResponse, accept, missing_access
from tracker.github.errors import ForbiddenError, NotFoundError, UnexpectedAnswer
from tracker.github.parse import parse_comment, parse_member

REQUEST_ID = "C0DE:1F2E3D:4A5B6C:7D8E9F:6745A2B1"
JSON_HEADERS = {"content-type": "application/json; charset=utf-8", "x-github-request-id": REQUEST_ID}
HTML_HEADERS = {"content-type": "text/html; charset=utf-8", "x-github-request-id": REQUEST_ID}
MEMBERS = "/orgs/acme/members?per_page=100"


def refused(
    status: int, headers: dict[str, str], body: str, url: str = MEMBERS, *, conditional: bool = False
) -> str:
    with pytest.raises(UnexpectedAnswer) as caught:
        accept(status, headers, body, url, conditional=conditional)
    message = str(caught.value)
    assert "\n" not in message
    assert (caught.value.status, caught.value.request_id) == (status, headers.get("x-github-request-id"))
    return message


def test_a_200_with_json_is_accepted() -> None:
    response = accept(200, JSON_HEADERS, '[{"login": "fay"}]', MEMBERS, conditional=False)

    assert (response.status, response.data, response.path) == (200, [{"login": "fay"}], "/orgs/acme/members")


def test_a_304_is_accepted_only_for_a_conditional_request() -> None:
    assert accept(304, JSON_HEADERS, "", MEMBERS, conditional=True).not_modified

    assert refused(304, JSON_HEADERS, "") == (
        "GitHub answered /orgs/acme/members with a status this call does not expect "
        f"(HTTP 304, request id {REQUEST_ID})"
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_refused_naming_where_it_points_but_never_its_path(status: int) -> None:
    """A 302 to a login page used to read as an empty member list: every member deleted, exit 0."""
    headers = {**JSON_HEADERS, "location": "https://user:pass@portal.corp.example:8443/login?token=abc"}

    assert refused(status, headers, "") == (
        "GitHub answered /orgs/acme/members with a redirect to https://portal.corp.example:8443, "
        f"which is not followed (HTTP {status}, request id {REQUEST_ID})"
    )


def test_a_captive_portals_html_page_with_200_is_refused() -> None:
    assert refused(200, HTML_HEADERS, "<!DOCTYPE html><html><title>Sign in</title></html>") == (
        "GitHub's answer to /orgs/acme/members is not JSON but text/html (a proxy or a captive portal?) "
        f"(HTTP 200, request id {REQUEST_ID})"
    )


@pytest.mark.parametrize("body", ['[{"login": "fay"}, {"log', "", "null]"])
def test_a_truncated_or_empty_json_body_is_refused(body: str) -> None:
    assert refused(200, JSON_HEADERS, body) == (
        "GitHub's answer to /orgs/acme/members is not JSON: it is cut short or malformed "
        f"(HTTP 200, request id {REQUEST_ID})"
    )


@pytest.mark.parametrize("status", [201, 202, 204, 206])
def test_another_success_status_is_refused(status: int) -> None:
    assert "with a status this call does not expect" in refused(status, JSON_HEADERS, "[]")


def test_errors_keep_their_own_classes() -> None:
    with pytest.raises(NotFoundError, match=r"^not found: /orgs/acme/members "):
        accept(404, JSON_HEADERS, '{"message": "Not Found"}', MEMBERS, conditional=False)


@pytest.mark.parametrize(
    ("headers", "needed"),
    [
        (
            {"x-oauth-scopes": "", "x-accepted-oauth-scopes": "read:org, admin:org"},
            "it needs one of the scopes read:org, admin:org (the token has: none)",
        ),
        (
            {"x-accepted-github-permissions": "repository_projects=write; organization_projects=admin"},
            "it needs the permission repository_projects=write or organization_projects=admin "
            "(X-Accepted-GitHub-Permissions)",
        ),
        (
            {"x-github-sso": "required; url=https://github.com/orgs/acme/sso?authorization_request=X"},
            "the token is not authorized for the organization's SAML single sign-on (Configure SSO)",
        ),
        ({"x-oauth-scopes": "repo", "x-accepted-oauth-scopes": ""}, None),
        ({}, None),
    ],
)
def test_a_403_says_what_access_github_s_headers_ask_for(headers: dict[str, str], needed: str | None) -> None:
    assert missing_access(headers) == needed


def test_a_403_names_the_missing_access_in_its_message() -> None:
    headers = {**JSON_HEADERS, "x-oauth-scopes": "repo", "x-accepted-oauth-scopes": "read:org"}

    with pytest.raises(ForbiddenError) as caught:
        accept(403, headers, '{"message": "Forbidden"}', MEMBERS, conditional=False)

    assert str(caught.value) == (
        "GitHub refused /orgs/acme/members: Forbidden; it needs one of the scopes read:org "
        f"(the token has: repo) (HTTP 403, request id {REQUEST_ID})"
    )


def test_the_query_never_appears_in_a_message() -> None:
    message = refused(200, HTML_HEADERS, "<html>", "/search/issues?q=author%3Afay+secret-project")

    assert "secret-project" not in message
    assert message.startswith("GitHub's answer to /search/issues is not JSON")


# --- shapes ------------------------------------------------------------------------------------


def answered(data: Any) -> ApiResponse:
    return accept(200, JSON_HEADERS, json.dumps(data), "/repos/o/n/issues/7/comments", conditional=False)


def shape_error(call: Any) -> str:
    with pytest.raises(UnexpectedAnswer) as caught:
        call()
    message = str(caught.value)
    prefix = "GitHub's answer to /repos/o/n/issues/7/comments is not what was asked for: "
    suffix = f" (HTTP 200, request id {REQUEST_ID})"
    assert message.startswith(prefix) and message.endswith(suffix), message
    return message.removeprefix(prefix).removesuffix(suffix)


def comment(**changes: Any) -> dict[str, Any]:
    return {**Comment("o/n", 7, "fay", datetime(2026, 11, 2, tzinfo=UTC)).to_json(), **changes}


def test_a_listing_of_objects_parses_every_item() -> None:
    assert [
        item.author for item in answered([comment(), comment(user=None)]).parsed_items(parse_comment)
    ] == [
        "fay",
        None,
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"message": "Moved"}, "not a list but an object"),
        (None, "not a list but null"),
        ([comment(), "fay"], "item 2 is a string, not an object"),
        ([comment(), {k: v for k, v in comment().items() if k != "id"}], "item 2: 'id' is missing"),
        ([comment(id="12")], "item 1: 'id' is a string, not an integer"),
        ([comment(id=True)], "item 1: 'id' is a boolean, not an integer"),
        ([comment(id=1.5)], "item 1: 'id' is a number, not an integer"),
        ([comment(created_at=None)], "item 1: 'created_at' is missing"),
        ([comment(created_at="yesterday")], "item 1: 'created_at' is not a time"),
        ([comment(created_at="2026-11-02T12:00:00")], "item 1: 'created_at' has no time zone"),
        ([comment(created_at=1_764_000_000)], "item 1: 'created_at' is a number, not a time"),
        ([comment(user="fay")], "item 1: 'user' is a string, not an object"),
        ([comment(user={"login": ["fay"]})], "item 1: 'login' is a list, not a string"),
    ],
)
def test_a_listing_of_the_wrong_shape_names_what_is_wrong(data: Any, problem: str) -> None:
    assert shape_error(lambda: answered(data).parsed_items(parse_comment)) == problem


def test_an_object_expected_and_a_list_answered() -> None:
    assert shape_error(lambda: answered([]).parsed(parse_member)) == "not an object but a list"


def test_a_login_that_is_no_github_login_is_no_ones() -> None:
    """It can be no one tracked, and it must never reach a search query."""
    parsed = answered([comment(user={"login": "fay author:evil"}), comment(user={"login": "x" * 40})])

    assert [item.author for item in parsed.parsed_items(parse_comment)] == [None, None]


def test_no_value_from_the_answer_appears_in_a_message() -> None:
    problem = shape_error(lambda: answered([comment(id="\x1b[2J<script>")]).parsed_items(parse_comment))

    assert re.fullmatch(r"[ -~]*", problem)
    assert "script" not in problem
