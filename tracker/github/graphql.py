"""GitHub's GraphQL answers, believed only once checked (pure: no I/O).

A query's answer is a 200 whatever happened: its `errors` say what did. `RATE_LIMITED` is the
spent points budget (wait for `x-ratelimit-reset`, as for REST's 403); any other error is not
believed, even beside `data`, since a partial answer would silently lose what it leaves out. Every
query asks for `rateLimit { cost remaining resetAt }`, so that what it cost is read, not guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.github.answers import error_for, message_of, parse_json, path_of
from tracker.github.errors import GraphQLQueryError, UnexpectedAnswer
from tracker.github.parse import JSON, ShapeError, kind_of, parse_time
from tracker.github.ratelimit import Pause, budget_from, pause_after_response

RESOURCE = "graphql"
RATE_LIMIT_FIELDS = "rateLimit { cost remaining resetAt }"
# A minute when GitHub says the budget is spent without saying until when.
UNKNOWN_RESET_PAUSE = 60.0
ERROR_RETRIES = 2
_UNSHOWN = re.compile(r"[^\x20-\x7e]")


@dataclass(frozen=True, slots=True)
class GraphQLAnswer:
    """The `data` of an answer without errors, and what the query cost."""

    data: JSON
    cost: int
    remaining: int | None
    reset_at: datetime | None
    request_id: str | None


def errors_of(data: Any) -> list[JSON]:
    """The answer's `errors` (each an object); none when it has none or is not JSON."""
    if not isinstance(data, Mapping) or not isinstance(data.get("errors"), list):
        return []
    return [error for error in data["errors"] if isinstance(error, Mapping)]


def is_rate_limited(errors: list[JSON]) -> bool:
    return any(error.get("type") == "RATE_LIMITED" for error in errors)


def pause_for_graphql(
    status: int, headers: Mapping[str, str], data: Any, now: float, attempt: int
) -> Pause | None:
    """`RATE_LIMITED` waits for the budget's reset; a 403 or 429 is a limit as for REST."""
    if status == 200 and is_rate_limited(errors_of(data)):
        budget = budget_from(headers)
        if budget is not None and budget.reset_at > now:
            return Pause(budget.reset_at - now + 1.0, "the graphql rate limit is used up")
        return Pause(UNKNOWN_RESET_PAUSE, "the graphql rate limit is used up")
    return pause_after_response(status, headers, message_of(data), RESOURCE, now, attempt)


def accept_graphql(status: int, headers: Mapping[str, str], body: str, url: str) -> GraphQLAnswer:
    """The answer's data and cost, if it is a 200 of JSON without errors."""
    request_id = headers.get("x-github-request-id")
    data = parse_json(body)
    path = path_of(url)
    if status >= 400:
        raise error_for(status, headers, data, url)
    if status != 200 or not isinstance(data, Mapping):
        shown = "an object" if isinstance(data, Mapping) else "not a JSON object"
        raise UnexpectedAnswer(
            f"GitHub's answer to {path} is not what was asked for (status {status}, {shown})",
            status=status,
            request_id=request_id,
        )
    errors = errors_of(data)
    if errors or "errors" in data:
        raise GraphQLQueryError(
            f"GitHub's GraphQL API answered with errors: {describe_errors(errors)}",
            status=status,
            request_id=request_id,
        )
    found = data.get("data")
    if not isinstance(found, Mapping):
        detail = f"GitHub's answer to {path} has no data but {kind_of(found)}"
        raise UnexpectedAnswer(detail, status=status, request_id=request_id)
    try:
        cost, remaining, reset_at = _rate_limit(found)
    except ShapeError as error:
        raise UnexpectedAnswer(
            f"GitHub's answer to {path} is not what was asked for: rateLimit {error}",
            status=status,
            request_id=request_id,
        ) from None
    return GraphQLAnswer(found, cost, remaining, reset_at, request_id)


def _rate_limit(data: JSON) -> tuple[int, int | None, datetime | None]:
    limit = data.get("rateLimit")
    if not isinstance(limit, Mapping):
        raise ShapeError(f"is {kind_of(limit)}, not an object")
    cost, remaining = limit.get("cost"), limit.get("remaining")
    if type(cost) is not int or cost < 0:
        raise ShapeError("has no cost")
    if remaining is not None and type(remaining) is not int:
        raise ShapeError("has a remaining that is not a number")
    return cost, remaining, parse_time(limit.get("resetAt"), "'resetAt'")


def describe_errors(errors: list[JSON]) -> str:
    """GitHub's first messages, printable and short (they may quote the query, never a secret)."""
    if not errors:
        return "an empty or malformed list of errors"
    shown = []
    for error in errors[:3]:
        kind = error.get("type")
        message = str(error.get("message") or "no message")
        text = f"{kind}: {message}" if isinstance(kind, str) else message
        shown.append(_UNSHOWN.sub("?", text)[:200])
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(shown) + more
