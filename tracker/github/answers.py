"""GitHub's answers, believed only once checked: the status the call expects, JSON of the shape
asked for, parsed into records; anything else is one `UnexpectedAnswer` line naming the path,
the status and GitHub's request id.

A 302 or an HTML page from a proxy used to read as an empty list: every member deleted, queued
comments dropped for good, and the sync exited 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tracker.github.errors import (
    AuthenticationError,
    ForbiddenError,
    GitHubError,
    NotFoundError,
    SearchLimitError,
    UnexpectedAnswer,
)
from tracker.github.parse import JSON, ShapeError, kind_of
from tracker.github.transport import describe_origin

T = TypeVar("T")
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')
_LAST_PAGE = re.compile(r'<[^>]*[?&]page=(\d+)[^>]*>;\s*rel="last"')
_NOT_JSON = object()
_UNSHOWN = re.compile(r"[^\x20-\x7e]")


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """An answer accepted by `accept`: a 200 with its JSON, or the 304 of a conditional request."""

    status: int
    data: Any
    headers: Mapping[str, str]
    path: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> datetime | None:
        """The Last-Modified header as an aware UTC datetime; None when absent or unreadable."""
        return parse_http_date(self.headers.get("last-modified"))

    @property
    def next_url(self) -> str | None:
        match = _NEXT_LINK.search(self.headers.get("link", ""))
        return match.group(1) if match else None

    @property
    def page_count(self) -> int:
        """How many pages the list has, from Link rel="last" (1 when there is no next page)."""
        match = _LAST_PAGE.search(self.headers.get("link", ""))
        return int(match.group(1)) if match else 1

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-github-request-id")

    def objects(self) -> list[JSON]:
        """The answer as a list of JSON objects (a listing)."""
        if not isinstance(self.data, list):
            raise self.unexpected(f"not a list but {kind_of(self.data)}")
        for index, item in enumerate(self.data, start=1):
            if not isinstance(item, Mapping):
                raise self.unexpected(f"item {index} is {kind_of(item)}, not an object")
        return self.data

    def object(self) -> JSON:
        """The answer as one JSON object."""
        if not isinstance(self.data, Mapping):
            raise self.unexpected(f"not an object but {kind_of(self.data)}")
        return self.data

    def parsed(self, parse: Callable[[JSON], T]) -> T:
        """The answer's object as a record."""
        return self.parse_part(parse, self.object())

    def parsed_items(self, parse: Callable[[JSON], T]) -> list[T]:
        """Every object of a listing as a record."""
        return [self.parse_part(parse, item, f"item {index}") for index, item in enumerate(self.objects(), 1)]

    def parse_part(self, parse: Callable[[JSON], T], part: JSON, where: str = "") -> T:
        """A part of the answer as a record; a missing key or a wrong type is an UnexpectedAnswer."""
        try:
            return parse(part)
        except ShapeError as error:
            raise self.unexpected(f"{where}: {error}" if where else str(error)) from None
        except KeyError as error:
            raise self.unexpected(
                f"{where}: {error} is missing" if where else f"{error} is missing"
            ) from None

    def unexpected(self, detail: str) -> UnexpectedAnswer:
        return UnexpectedAnswer(
            f"GitHub's answer to {self.path} is not what was asked for: {detail}",
            status=self.status,
            request_id=self.request_id,
        )


def accept(status: int, headers: Mapping[str, str], body: str, url: str, *, conditional: bool) -> ApiResponse:
    """The answer, if it is one the call expects: 200 and JSON, or 304 to a conditional request."""
    path = path_of(url)
    request_id = headers.get("x-github-request-id")
    if status >= 400:
        raise error_for(status, headers, parse_json(body), url)
    if status == 304 and conditional:
        return ApiResponse(status, None, headers, path)
    if status != 200:
        raise UnexpectedAnswer(
            _unexpected_status(status, headers, path), status=status, request_id=request_id
        )
    data = parse_json(body)
    if data is _NOT_JSON:
        raise UnexpectedAnswer(_not_json(headers, path), status=status, request_id=request_id)
    return ApiResponse(status, data, headers, path)


def parse_json(body: str) -> Any:
    """The body's JSON; `_NOT_JSON` for an empty, truncated or non-JSON body."""
    try:
        return json.loads(body)
    except ValueError:
        return _NOT_JSON


def message_of(data: Any) -> str:
    return str(data.get("message", "")) if isinstance(data, dict) else ""


def path_of(url: str) -> str:
    """The URL without its query (which may carry search terms) and without scheme and host."""
    return urlsplit(url).path or "/"


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def error_for(status: int, headers: Mapping[str, str], data: Any, url: str) -> GitHubError:
    request_id = headers.get("x-github-request-id")
    message = message_of(data) or ("no message" if data is not _NOT_JSON else "an answer that is not JSON")
    path = path_of(url)
    if status == 401:
        return AuthenticationError(
            f"GitHub rejected the token ({message}); check GITHUB_TOKEN", status=status, request_id=request_id
        )
    if status == 404:
        return NotFoundError(f"not found: {path}", status=status, request_id=request_id)
    if status == 403:
        needed = missing_access(headers)
        return ForbiddenError(
            f"GitHub refused {path}: {message}" + (f"; {needed}" if needed else ""),
            status=status,
            request_id=request_id,
        )
    if status == 422:
        return SearchLimitError(f"GitHub rejected {path}: {message}", status=status, request_id=request_id)
    if status >= 500:
        return GitHubError(
            f"GitHub kept failing on {path} after retries: {message}", status=status, request_id=request_id
        )
    return GitHubError(f"GitHub answered {path}: {message}", status=status, request_id=request_id)


def missing_access(headers: Mapping[str, str]) -> str | None:
    """What a 403 says the token lacks, from GitHub's headers: SAML SSO authorization
    (`X-GitHub-SSO`), a fine-grained permission (`X-Accepted-GitHub-Permissions`, sets separated by
    `;`), or a classic token's scope (`X-Accepted-OAuth-Scopes` against `X-OAuth-Scopes`)."""
    if headers.get("x-github-sso", "").lower().startswith("required"):
        # The header's url= holds a one-time authorization request: not shown.
        return "the token is not authorized for the organization's SAML single sign-on (Configure SSO)"
    permissions = _listed(headers.get("x-accepted-github-permissions"), ";")
    if permissions:
        return f"it needs the permission {' or '.join(permissions)} (X-Accepted-GitHub-Permissions)"
    accepted = _listed(headers.get("x-accepted-oauth-scopes"), ",")
    if accepted:
        granted = _listed(headers.get("x-oauth-scopes"), ",")
        has = ", ".join(granted) if granted else "none"
        return f"it needs one of the scopes {', '.join(accepted)} (the token has: {has})"
    return None


def _listed(value: str | None, separator: str) -> list[str]:
    shown = _UNSHOWN.sub("?", value or "")[:200]
    return [item.strip() for item in shown.split(separator) if item.strip()]


def _unexpected_status(status: int, headers: Mapping[str, str], path: str) -> str:
    if 300 <= status < 400 and status != 304:
        location = headers.get("location")
        where = f" to {describe_origin(location)}" if location else ""
        return f"GitHub answered {path} with a redirect{where}, which is not followed"
    return f"GitHub answered {path} with a status this call does not expect"


def _not_json(headers: Mapping[str, str], path: str) -> str:
    content_type = headers.get("content-type", "").split(";", 1)[0].strip()
    if "json" in content_type:
        return f"GitHub's answer to {path} is not JSON: it is cut short or malformed"
    shown = _UNSHOWN.sub("?", content_type)[:60] or "no content type"
    return f"GitHub's answer to {path} is not JSON but {shown} (a proxy or a captive portal?)"
