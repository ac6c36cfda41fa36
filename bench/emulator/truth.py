"""Ground truth: exactly the contributions a correct tracker counts in a world.

The rules (the project's counting contract, without a roster):
- people are the org's members (public and concealed) minus bots;
- a repo counts when it has one of `topics` or matches an `include` pattern
  (`owner/name`, `owner/*`, case-insensitive), and is neither a fork nor private;
- kinds: `pr_opened` (at created_at) and `pr_merged` (at merged_at) for a
  member's pull request, `issue_opened` for a member's issue, all with the
  issue id; `review` for a member's submitted review (any state but PENDING) on
  someone else's pull request, at submitted_at, with the review id; `comment`
  for a member's conversation comment at created_at, with the comment id;
- only moments in [since, until), until defaulting to the world's now;
- `windows` (login -> [from, until), either end open) replace, for those accounts, "a member
  now" with "a member within the window": what a tracker that follows membership over time
  counts for someone who joined or left.

Run `python -m bench.emulator.truth --seed 1 --since 2026-10-01 --topics llm,machine-learning`
with the same size flags as the server to print the counts (and `--list` for every row).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from .cli import add_world_arguments, world_config_from
from .model import Account, AccountType, Repository, World, as_datetime, parse_time
from .seed import generate_world

PAGE_SIZE = 100
DEFAULT_TOPICS = "llm,machine-learning,deep-learning"
KINDS = ("pr_opened", "pr_merged", "issue_opened", "review", "comment")

Moment = datetime | str | int


def to_epoch(moment: Moment) -> int:
    if isinstance(moment, datetime):
        return int(moment.timestamp())
    if isinstance(moment, str):
        return parse_time(moment)
    return moment


Window = tuple[int | None, int | None]


def counted_people(world: World, windows: Mapping[str, Window] | None = None) -> dict[int, Account]:
    """Org members minus bots (and the accounts with a window), by account id."""
    wanted = {login.lower() for login in windows or {}}
    return {
        account.id: account
        for account in world.accounts
        if (account.is_member or account.login.lower() in wanted)
        and account.type is not AccountType.BOT
        and not account.login.endswith("[bot]")
    }


def parse_windows(text: str) -> dict[str, Window]:
    """`login@FROM..UNTIL` items, comma-separated; FROM or UNTIL (ISO 8601) may be empty."""
    windows: dict[str, Window] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        login, _, span = item.partition("@")
        low, separator, high = span.partition("..")
        if not login or not separator:
            raise ValueError(f"a window is login@FROM..UNTIL, not {item!r}")
        windows[login.lower()] = (parse_time(low) if low else None, parse_time(high) if high else None)
    return windows


def _in_window(windows: Mapping[str, Window], login: str, moment: int) -> bool:
    window = windows.get(login.lower())
    if window is None:
        return True
    low, high = window
    return (low is None or low <= moment) and (high is None or moment < high)


def repo_counts(repo: Repository, topics: Iterable[str], include: Iterable[str]) -> bool:
    if repo.fork or repo.private:
        return False
    name = repo.full_name.lower()
    if any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in include):
        return True
    wanted = {topic.lower() for topic in topics}
    return any(topic.lower() in wanted for topic in repo.topics)


def ground_truth(
    world: World,
    since: Moment,
    topics: Iterable[str],
    include: Iterable[str] = (),
    until: Moment | None = None,
    windows: Mapping[str, Window] | None = None,
) -> list[dict[str, Any]]:
    """Every counted contribution as {kind, github_id, login, repo, number, occurred_at (aware datetime)}."""
    start = to_epoch(since)
    end = world.now if until is None else to_epoch(until)
    topic_list, include_list = list(topics), list(include)
    people = counted_people(world, windows)
    rows: list[dict[str, Any]] = []
    for repo in world.repos:
        if repo_counts(repo, topic_list, include_list):
            rows.extend(
                row
                for row in _repo_contributions(repo, people, start, end)
                if _in_window(windows or {}, row["login"], int(row["occurred_at"].timestamp()))
            )
    rows.sort(key=lambda row: (row["occurred_at"], KINDS.index(row["kind"]), row["github_id"]))
    return rows


def _repo_contributions(
    repo: Repository, people: dict[int, Account], start: int, end: int
) -> Iterator[dict[str, Any]]:
    def row(kind: str, github_id: int, login: str, number: int, moment: int) -> dict[str, Any]:
        return {
            "kind": kind,
            "github_id": github_id,
            "login": login,
            "repo": repo.full_name,
            "number": number,
            "occurred_at": as_datetime(moment),
        }

    for thread in repo.threads:
        author = thread.author
        if author.id in people:
            if start <= thread.created_at < end:
                kind = "pr_opened" if thread.is_pull else "issue_opened"
                yield row(kind, thread.id, author.login, thread.number, thread.created_at)
            if thread.is_pull and thread.merged_at is not None and start <= thread.merged_at < end:
                yield row("pr_merged", thread.id, author.login, thread.number, thread.merged_at)
        for comment in thread.comments:
            if comment.author.id in people and start <= comment.created_at < end:
                yield row("comment", comment.id, comment.author.login, thread.number, comment.created_at)
        for review in thread.reviews:
            moment = review.submitted_at
            if (
                review.is_submitted
                and moment is not None
                and review.author.id in people
                and review.author is not author
                and start <= moment < end
            ):
                yield row("review", review.id, review.author.login, thread.number, moment)


def count_by_kind(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(row["kind"] for row in rows)
    return {kind: counts.get(kind, 0) for kind in KINDS}


def minimum_pages_breakdown(
    world: World,
    since: Moment,
    topics: Iterable[str],
    include: Iterable[str] = (),
    until: Moment | None = None,
) -> dict[str, int]:
    """A lower bound on requests: pages of 100 holding the counted data, plus one GET per counted repo.

    members: the member list; threads: distinct issues and PRs behind pr_opened,
    pr_merged and issue_opened; comments and reviews: their records; repos: one
    repository GET each (topics, fork, private) for repos that hold counted data.
    """
    rows = ground_truth(world, since, topics, include, until)
    threads = {
        (row["repo"], row["number"])
        for row in rows
        if row["kind"] in ("pr_opened", "pr_merged", "issue_opened")
    }
    breakdown = {
        "members": _pages(sum(1 for account in world.accounts if account.is_member)),
        "threads": _pages(len(threads)),
        "comments": _pages(sum(1 for row in rows if row["kind"] == "comment")),
        "reviews": _pages(sum(1 for row in rows if row["kind"] == "review")),
        "repos": len({row["repo"] for row in rows}),
    }
    breakdown["total"] = sum(breakdown.values())
    return breakdown


def minimum_pages(
    world: World,
    since: Moment,
    topics: Iterable[str],
    include: Iterable[str] = (),
    until: Moment | None = None,
) -> int:
    return minimum_pages_breakdown(world, since, topics, include, until)["total"]


def _pages(count: int) -> int:
    return math.ceil(count / PAGE_SIZE)


def truth_report(
    world: World,
    since: Moment,
    topics: Sequence[str],
    include: Sequence[str] = (),
    until: Moment | None = None,
    *,
    with_rows: bool = False,
    windows: Mapping[str, Window] | None = None,
) -> dict[str, Any]:
    """The JSON summary the CLI and GET /_emulator/truth return."""
    rows = ground_truth(world, since, topics, include, until, windows)
    report: dict[str, Any] = {
        "since": as_datetime(to_epoch(since)).isoformat(),
        "until": as_datetime(world.now if until is None else to_epoch(until)).isoformat(),
        "topics": list(topics),
        "include": list(include),
        "total": len(rows),
        "by_kind": count_by_kind(rows),
        "people": len(counted_people(world, windows)),
        "minimum_pages": minimum_pages_breakdown(world, since, topics, include, until),
    }
    if with_rows:
        report["contributions"] = [row_to_json(row) for row in rows]
    return report


def row_to_json(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "occurred_at": row["occurred_at"].strftime("%Y-%m-%dT%H:%M:%SZ")}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.emulator.truth", description=__doc__.splitlines()[0]
    )
    add_world_arguments(parser)
    parser.add_argument("--since", required=True, help="ISO date or datetime (inclusive)")
    parser.add_argument("--until", default=None, help="ISO date or datetime (exclusive); default: --now")
    parser.add_argument("--topics", default=DEFAULT_TOPICS, help="comma-separated")
    parser.add_argument("--include", default="", help="comma-separated owner/name patterns")
    parser.add_argument(
        "--list", action="store_true", help="also print every contribution, one JSON per line"
    )
    args = parser.parse_args(argv)
    world = generate_world(world_config_from(args))
    report = truth_report(world, args.since, _split(args.topics), _split(args.include), args.until)
    print(json.dumps(report))
    if args.list:
        for row in ground_truth(world, args.since, _split(args.topics), _split(args.include), args.until):
            sys.stdout.write(json.dumps(row_to_json(row)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
