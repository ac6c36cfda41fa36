"""POST /graphql: GitHub's published schema, executed by graphql-core, with GitHub's limits and costs.

The schema is GitHub's own (`github-schema.graphql`, from the npm package @octokit/graphql-schema
15.26.1, MIT), so a query is validated exactly as GitHub validates it: an unknown field, a wrong
argument or a missing variable is the same error here as there. Only the resolvers the tracker
needs exist (`search` of issues and pull requests, with their reviews, and `rateLimit`); any other
field resolves to null.

GitHub's documented limits (docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api):
every connection needs `first` or `last`, from 1 to 100; a query may ask for 500,000 nodes at most;
a query costs the requests its connections need, assuming each is full, divided by 100 and rounded
(at least 1 point), charged from a budget of 5,000 points an hour before the query runs; a spent
budget answers 200 with a `RATE_LIMITED` error. Search serves its first 1,000 results.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    execute,
    get_named_type,
    parse,
    validate,
)

from .index import QueryCache
from .model import Account, AccountType, Review, Thread, format_time
from .query import QueryError, parse_search_query, search_threads, split_sort
from .render import View, node_id

SCHEMA_PATH = Path(__file__).with_name("github-schema.graphql")
MAX_PAGE = 100
MAX_NODES = 500_000
SEARCH_RESULT_CAP = 1_000
GRAPHQL_LIMIT = 5_000


@functools.cache
def github_schema() -> GraphQLSchema:
    """GitHub's schema, built once (a few seconds). GitHub's published SDL defines two fields of
    `EnterpriseOwnerInfo` twice, which the SDL checks refuse; the built schema itself is valid."""
    return build_schema(SCHEMA_PATH.read_text(encoding="utf-8"), assume_valid_sdl=True)


@dataclass(frozen=True, slots=True)
class Planned:
    """A query that passed validation and the limits: what it will cost, and how many nodes."""

    document: DocumentNode
    variables: dict[str, Any]
    operation_name: str | None
    cost: int
    node_count: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A query GitHub would not run: the `errors` of its 200 answer."""

    errors: list[dict[str, Any]]


def plan(body: bytes) -> Planned | Refused:
    """Parse, validate and price a request body, as GitHub does before running anything."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return Refused([{"message": "Problems parsing JSON"}])
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return Refused([{"message": "A query attribute must be specified and must be a string."}])
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        return Refused([{"message": "Variables are invalid JSON."}])
    try:
        document = parse(payload["query"])
    except GraphQLError as error:
        return Refused([_error_json(error, "SYNTAX_ERROR")])
    schema = github_schema()
    errors = validate(schema, document)
    if errors:
        return Refused([_error_json(error, "VALIDATION_ERROR") for error in errors])
    try:
        requests, nodes = _count(schema, document, variables)
    except _LimitError as error:
        return Refused([{"type": "MAX_NODE_LIMIT_EXCEEDED", "message": str(error)}])
    if nodes > MAX_NODES:
        message = (
            f"This query requests up to {nodes:,} possible nodes which exceeds the maximum limit of 500,000."
        )
        return Refused([{"type": "MAX_NODE_LIMIT_EXCEEDED", "message": message}])
    cost = max(1, round(requests / 100))
    name = payload.get("operationName") if isinstance(payload.get("operationName"), str) else None
    return Planned(document, variables, name, cost, nodes)


def _error_json(error: GraphQLError, kind: str) -> dict[str, Any]:
    found = error.formatted
    return {"type": kind, **found}


# --- limits and cost -----------------------------------------------------------------


class _LimitError(Exception):
    pass


def _count(schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]) -> tuple[int, int]:
    """(requests, nodes): each connection is one request per parent it may appear under, and
    `first` nodes each time (GitHub assumes every page is full)."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    requests = nodes = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            assert root is not None
            found = _walk(schema, root, definition.selection_set, 1, variables, fragments)
            requests += found[0]
            nodes += found[1]
    return requests, nodes


def _walk(
    schema: GraphQLSchema,
    parent: Any,
    selections: SelectionSetNode | None,
    multiplier: int,
    variables: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> tuple[int, int]:
    requests = nodes = 0
    for selection in selections.selections if selections else ():
        if isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            target = schema.get_type(fragment.type_condition.name.value)
            found = _walk(schema, target, fragment.selection_set, multiplier, variables, fragments)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = schema.get_type(condition.name.value) if condition else parent
            found = _walk(schema, target, selection.selection_set, multiplier, variables, fragments)
        else:
            assert isinstance(selection, FieldNode)
            found = _walk_field(schema, parent, selection, multiplier, variables, fragments)
        requests += found[0]
        nodes += found[1]
    return requests, nodes


def _walk_field(
    schema: GraphQLSchema,
    parent: Any,
    field: FieldNode,
    multiplier: int,
    variables: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> tuple[int, int]:
    fields = getattr(parent, "fields", None)
    definition = fields.get(field.name.value) if fields else None
    if definition is None:  # __typename, or a field of an interface's implementation
        return 0, 0
    target = get_named_type(definition.type)
    if not (isinstance(target, GraphQLObjectType) and target.name.endswith("Connection")):
        return _walk(schema, target, field.selection_set, multiplier, variables, fragments)
    page = _page_size(field, variables)
    inner = _walk(schema, target, field.selection_set, multiplier * page, variables, fragments)
    return multiplier + inner[0], multiplier * page + inner[1]


def _page_size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    values: dict[str, Any] = {}
    for argument in field.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            if isinstance(value, VariableNode):
                values[argument.name.value] = variables.get(value.name.value)
            elif isinstance(value, IntValueNode):
                values[argument.name.value] = int(value.value)
    name = field.name.value
    given = {key: value for key, value in values.items() if value is not None}
    if not given:
        raise _LimitError(
            f"You must provide a `first` or `last` value to properly paginate the `{name}` connection."
        )
    for key, value in given.items():
        if not 1 <= value <= MAX_PAGE:
            raise _LimitError(
                f"Requesting {value} records on the `{name}` connection exceeds the `{key}` limit "
                "of 100 records."
            )
    return max(given.values())


# --- running a planned query -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Budget:
    """What `rateLimit` answers: the query's cost, and the budget after it."""

    cost: int
    limit: int
    used: int
    reset_at: float
    node_count: int


def run(
    planned: Planned, view: View, viewer: Account | None, budget: Budget, cache: QueryCache
) -> dict[str, Any]:
    """The query's answer: `data`, and `errors` beside it when a field failed."""
    root = {
        "search": functools.partial(_search, view, viewer, cache),
        "rateLimit": lambda info, **args: _rate_limit(budget),
    }
    result = execute(
        github_schema(),
        planned.document,
        root_value=root,
        variable_values=planned.variables,
        operation_name=planned.operation_name,
    )
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [_error_json(error, "INTERNAL") for error in result.errors]
    return answer


def _rate_limit(budget: Budget) -> dict[str, Any]:
    return {
        "cost": budget.cost,
        "limit": budget.limit,
        "used": budget.used,
        "remaining": max(0, budget.limit - budget.used),
        "resetAt": format_time(int(budget.reset_at)),
        "nodeCount": budget.node_count,
    }


def _search(view: View, viewer: Account | None, cache: QueryCache, info: Any, **args: Any) -> dict[str, Any]:
    """Query.search for type ISSUE: GitHub's search syntax, `sort:` included, its first 1,000 results."""
    if args.get("type") != "ISSUE":
        return _connection([], 0, 0, extra={"issueCount": 0})
    try:
        text, sort, order = split_sort(str(args.get("query", "")))
        query = parse_search_query(text)
    except QueryError as error:
        raise GraphQLError(str(error)) from error
    key = ("search", " ".join(text.split()), sort, order, view.index.version)
    found = cache.get_or_compute(key, lambda: search_threads(view.index, query, sort, order))
    results = found[:SEARCH_RESULT_CAP]
    start, count = _window(args, len(results))
    nodes = [_issue_or_pull(thread, view, viewer) for thread in results[start : start + count]]
    return _connection(nodes, start, len(results), extra={"issueCount": len(found)})


def _window(args: Mapping[str, Any], total: int) -> tuple[int, int]:
    """Where a page starts and how many it holds, from `first`/`after` (or `last`/`before`)."""
    after = _offset(args.get("after"))
    before = _offset(args.get("before"))
    start = after + 1 if after is not None else 0
    end = before if before is not None else total
    if args.get("first") is not None:
        return start, max(0, min(int(args["first"]), end - start))
    count = max(0, min(int(args.get("last") or 0), end - start))
    return end - count, count


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset + 1}".encode()).decode()


def _offset(cursor: object) -> int | None:
    if not isinstance(cursor, str):
        return None
    try:
        text = base64.b64decode(cursor, validate=True).decode()
    except ValueError:
        raise GraphQLError(f"`{cursor}` does not appear to be a valid cursor.") from None
    prefix, _, number = text.partition(":")
    if prefix != "cursor" or not number.isdigit():
        raise GraphQLError(f"`{cursor}` does not appear to be a valid cursor.")
    return int(number) - 1


def _connection(
    nodes: list[Any], start: int, total: int, *, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    end = start + len(nodes)
    return {
        "nodes": nodes,
        "edges": [{"cursor": _cursor(start + index), "node": node} for index, node in enumerate(nodes)],
        "pageInfo": {
            "hasNextPage": end < total,
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start) if nodes else None,
            "endCursor": _cursor(end - 1) if nodes else None,
        },
        "totalCount": total,
        **(extra or {}),
    }


def _actor(account: Account | None, view: View) -> dict[str, Any] | None:
    """An author: a Bot's login has no `[bot]` in GraphQL, unlike REST's."""
    if account is None:
        return None
    is_bot = account.type is AccountType.BOT
    login = account.login.removesuffix("[bot]") if is_bot else account.login
    kind = "Bot" if is_bot else ("Organization" if account.type is AccountType.ORGANIZATION else "User")
    return {
        "__typename": kind,
        "login": login,
        "id": node_id(kind, account.id),
        "url": f"{view.urls.web}/{'apps/' + login if is_bot else login}",
    }


def _issue_or_pull(thread: Thread, view: View, viewer: Account | None) -> dict[str, Any]:
    repo = thread.repo
    kind = "PullRequest" if thread.is_pull else "Issue"
    web = f"{view.urls.web}/{repo.full_name}/{'pull' if thread.is_pull else 'issues'}/{thread.number}"
    node: dict[str, Any] = {
        "__typename": kind,
        "id": node_id(kind, thread.pull_id if thread.is_pull else thread.id),
        "databaseId": thread.pull_id if thread.is_pull else thread.id,
        "fullDatabaseId": str(thread.pull_id if thread.is_pull else thread.id),
        "number": thread.number,
        "title": thread.title,
        "url": web,
        "author": _actor(thread.author, view),
        "repository": {
            "__typename": "Repository",
            "nameWithOwner": repo.full_name,
            "name": repo.name,
            "owner": _actor(repo.owner, view),
        },
        "createdAt": format_time(thread.created_at),
        "updatedAt": format_time(thread.updated_at),
        "closedAt": format_time(thread.closed_at) if thread.closed_at is not None else None,
        "closed": thread.closed_at is not None,
        "state": ("MERGED" if thread.merged_at is not None else "CLOSED") if thread.closed_at else "OPEN",
    }
    if thread.is_pull:
        node["mergedAt"] = format_time(thread.merged_at) if thread.merged_at is not None else None
        node["merged"] = thread.merged_at is not None
        node["reviews"] = _reviews_of(thread, view, viewer)
    return node


def _reviews_of(thread: Thread, view: View, viewer: Account | None) -> Callable[..., dict[str, Any]]:
    """PullRequest.reviews: submitted reviews, and pending ones to their author only, oldest first."""

    def reviews(info: Any, **args: Any) -> dict[str, Any]:
        visible = [item for item in thread.reviews if item.is_submitted or item.author is viewer]
        wanted = {str(state) for state in args.get("states") or ()}
        if wanted:
            visible = [item for item in visible if str(item.state) in wanted]
        start, count = _window(args, len(visible))
        nodes = [_review(item, view) for item in visible[start : start + count]]
        return _connection(nodes, start, len(visible))

    return reviews


def _review(item: Review, view: View) -> dict[str, Any]:
    thread = item.thread
    url = f"{view.urls.web}/{thread.repo.full_name}/pull/{thread.number}#pullrequestreview-{item.id}"
    return {
        "__typename": "PullRequestReview",
        "id": node_id("PullRequestReview", item.id),
        "databaseId": item.id,
        "fullDatabaseId": str(item.id),
        "author": _actor(item.author, view),
        "state": str(item.state),
        "submittedAt": format_time(item.submitted_at) if item.submitted_at is not None else None,
        "createdAt": format_time(item.started_at),
        "url": url,
    }
