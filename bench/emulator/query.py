"""Search qualifiers and list filters: parse the request, pick threads from the indexes.

Supported in `q`: author:, commenter:, reviewed-by:, involves: (author or
commenter or reviewer), is:pr|issue|open|closed|merged|unmerged, type:pr|issue,
state:open|closed, repo:, org:, user:, label:, archived:true|false, and the
date qualifiers created:, updated:, closed:, merged: in the forms `>=X`, `>X`,
`<=X`, `<X`, `A..B` (inclusive; `*` for open ends) and `X`, where X is a date
(a whole UTC day) or a datetime. Other words match titles. An unsupported
qualifier is a 422, so a client never silently gets an unfiltered answer.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .index import WorldIndex
from .model import Thread, parse_time
from .render import LABELS

DAY = 86_400
USER_QUALIFIERS = ("author", "commenter", "reviewed-by", "involves")
DATE_QUALIFIERS = ("created", "updated", "closed", "merged")


class QueryError(ValueError):
    """A query GitHub would answer with 422 Validation Failed."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """[start, end) in epoch seconds; None is unbounded."""

    start: int | None
    end: int | None

    def contains(self, moment: int | None) -> bool:
        if moment is None:
            return False
        return (self.start is None or moment >= self.start) and (self.end is None or moment < self.end)


@dataclass(slots=True)
class SearchQuery:
    users: dict[str, list[str]] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    merged: bool | None = None
    repos: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    archived: bool | None = None
    ranges: dict[str, list[TimeRange]] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)


SORT_KEYS = ("created", "updated", "comments")


def split_sort(text: str) -> tuple[str, str, str]:
    """The query without its `sort:` qualifier (how GraphQL's search is ordered, having no sort
    argument), and the sort and order it names: `sort:updated-asc` is ("updated", "asc")."""
    kept, sort, order = [], "", "desc"
    for term in text.split():
        name, separator, value = term.partition(":")
        if separator and name.lower() == "sort":
            key, _, direction = value.lower().partition("-")
            if key not in SORT_KEYS or direction not in ("", "asc", "desc"):
                raise QueryError(f"the emulator does not support {term!r}")
            sort, order = key, direction or "desc"
        else:
            kept.append(term)
    return " ".join(kept), sort, order


def parse_search_query(text: str) -> SearchQuery:
    try:
        terms = shlex.split(text)
    except ValueError as error:
        raise QueryError(f"cannot parse query: {error}") from error
    query = SearchQuery()
    for term in terms:
        _apply_term(query, term)
    return query


def _apply_term(query: SearchQuery, term: str) -> None:
    name, separator, value = term.partition(":")
    if not separator:
        query.words.append(term.lower())
        return
    name = name.lower()
    if name in USER_QUALIFIERS:
        query.users.setdefault(name, []).append(value.lower())
    elif name in DATE_QUALIFIERS:
        query.ranges.setdefault(name, []).append(parse_range(value))
    elif name in ("is", "type", "state"):
        _apply_flag(query, name, value.lower())
    elif name == "repo":
        query.repos.append(value.lower())
    elif name in ("org", "user"):
        query.owners.append(value.lower())
    elif name == "label":
        query.labels.append(value.lower())
    elif name == "archived" and value.lower() in ("true", "false"):
        query.archived = value.lower() == "true"
    else:
        raise QueryError(f"the emulator does not support the qualifier {term!r}")


def _apply_flag(query: SearchQuery, name: str, value: str) -> None:
    if value in ("pr", "issue") and name in ("is", "type"):
        query.kinds.add(value)
    elif value in ("open", "closed") and name in ("is", "state"):
        query.states.add(value)
    elif value in ("merged", "unmerged") and name == "is":
        query.merged = value == "merged"
    else:
        raise QueryError(f"the emulator does not support {name}:{value}")


def parse_range(text: str) -> TimeRange:
    """GitHub's date qualifier syntax; a bare date covers its whole UTC day."""
    try:
        if ".." in text:
            low, high = text.split("..", 1)
            return TimeRange(None if low == "*" else _span(low)[0], None if high == "*" else _span(high)[1])
        for operator, build in _OPERATORS:
            if text.startswith(operator):
                return build(_span(text[len(operator) :]))
        start, end = _span(text)
        return TimeRange(start, end)
    except ValueError as error:
        raise QueryError(f"invalid date in {text!r}") from error


_OPERATORS: tuple[tuple[str, Callable[[tuple[int, int]], TimeRange]], ...] = (
    (">=", lambda span: TimeRange(span[0], None)),
    ("<=", lambda span: TimeRange(None, span[1])),
    (">", lambda span: TimeRange(span[1], None)),
    ("<", lambda span: TimeRange(None, span[0])),
)


def _span(text: str) -> tuple[int, int]:
    """The first second a date or datetime denotes, and the first second after it."""
    text = text.strip()
    if len(text) == 10:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
        start = int(day.timestamp())
        return start, start + DAY
    moment = parse_time(text)
    return moment, moment + 1


def search_threads(index: WorldIndex, query: SearchQuery, sort: str, order: str) -> list[Thread]:
    """Matching threads in public repos, ordered as GitHub would for `sort` and `order`."""
    candidates = _candidates(index, query)
    matches = [thread for thread in candidates if _matches(thread, query)]
    return sort_threads(matches, sort or "updated", order or "desc")


def _candidates(index: WorldIndex, query: SearchQuery) -> Iterable[Thread]:
    chosen: dict[int, Thread] | None = None
    for qualifier, logins in query.users.items():
        found: dict[int, Thread] = {}
        for login in logins:
            for thread in _threads_of(index, qualifier, login):
                found[thread.id] = thread
        chosen = found if chosen is None else {key: value for key, value in chosen.items() if key in found}
    return index.public_threads if chosen is None else chosen.values()


def _threads_of(index: WorldIndex, qualifier: str, login: str) -> list[Thread]:
    account = index.account(login)
    if account is None:
        return []
    groups = {
        "author": [index.authored],
        "commenter": [index.commented],
        "reviewed-by": [index.reviewed],
        "involves": [index.authored, index.commented, index.reviewed],
    }[qualifier]
    return [thread for group in groups for thread in group.get(account.id, [])]


def _matches(thread: Thread, query: SearchQuery) -> bool:
    return all(check(thread, query) for check in _CHECKS)


def _kind_matches(thread: Thread, query: SearchQuery) -> bool:
    if not query.kinds:
        return True
    return ("pr" if thread.is_pull else "issue") in query.kinds


def _state_matches(thread: Thread, query: SearchQuery) -> bool:
    if not query.states:
        return True
    return ("open" if thread.closed_at is None else "closed") in query.states


def _merge_matches(thread: Thread, query: SearchQuery) -> bool:
    if query.merged is None:
        return True
    return thread.is_pull and (thread.merged_at is not None) == query.merged


def _place_matches(thread: Thread, query: SearchQuery) -> bool:
    repo = thread.repo
    if query.repos and repo.full_name.lower() not in query.repos:
        return False
    if query.owners and repo.owner.login.lower() not in query.owners:
        return False
    return query.archived is None or repo.archived == query.archived


def _label_matches(thread: Thread, query: SearchQuery) -> bool:
    names = {LABELS[index][0] for index in thread.labels}
    return all(label in names for label in query.labels)


def _dates_match(thread: Thread, query: SearchQuery) -> bool:
    moments = {
        "created": thread.created_at,
        "updated": thread.updated_at,
        "closed": thread.closed_at,
        "merged": thread.merged_at,
    }
    return all(span.contains(moments[name]) for name, spans in query.ranges.items() for span in spans)


def _words_match(thread: Thread, query: SearchQuery) -> bool:
    title = thread.title.lower()
    return all(word in title for word in query.words)


_CHECKS: tuple[Callable[[Thread, SearchQuery], bool], ...] = (
    _kind_matches,
    _state_matches,
    _merge_matches,
    _place_matches,
    _label_matches,
    _dates_match,
    _words_match,
)


def sort_threads(threads: list[Thread], sort: str, order: str) -> list[Thread]:
    keys: dict[str, Callable[[Thread], tuple[int, int]]] = {
        "created": lambda thread: (thread.created_at, thread.id),
        "updated": lambda thread: (thread.updated_at, thread.id),
        "comments": lambda thread: (len(thread.comments), thread.id),
        "popularity": lambda thread: (len(thread.comments), thread.id),
        "long-running": lambda thread: (thread.updated_at - thread.created_at, thread.id),
    }
    key = keys.get(sort, keys["updated"])
    return sorted(threads, key=key, reverse=order != "asc")


@dataclass(frozen=True, slots=True)
class ListFilter:
    """GET /repos/{owner}/{repo}/issues and /pulls parameters."""

    state: str
    sort: str
    direction: str
    since: int | None
    pulls_only: bool


def list_repo_threads(threads: list[Thread], wanted: ListFilter) -> list[Thread]:
    selected = [thread for thread in threads if _list_matches(thread, wanted)]
    return sort_threads(selected, wanted.sort, wanted.direction)


def _list_matches(thread: Thread, wanted: ListFilter) -> bool:
    if wanted.pulls_only and not thread.is_pull:
        return False
    if wanted.state != "all" and ("open" if thread.closed_at is None else "closed") != wanted.state:
        return False
    return wanted.since is None or thread.updated_at >= wanted.since
