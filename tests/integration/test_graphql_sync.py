"""The same world synced through REST alone and with GraphQL ([sync] graphql): the same stored rows,
to the last column, and what each path cost.

The emulator (bench/emulator, its own process) serves GitHub's REST API and its GraphQL API (GitHub's
published schema, executed), so the queries the tracker sends are validated as GitHub validates them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.integration.github_emulator import Emulator, running_emulator

TOPICS = ("llm", "machine-learning", "deep-learning")
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
SINCE = (datetime.now(UTC) - timedelta(days=60)).date()
WORLD = ("--seed=11", "--people=14", "--repos=10", "--contributions=3000", "--days=90")
COLUMNS = "kind, github_id, login, repo, repo_key, number, title, url, occurred_at, subject_author"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    clock = f"--now={NOW:%Y-%m-%dT%H:%M:%SZ}"
    with running_emulator(*WORLD, clock, "--search-limit=100000", "--core-limit=100000") as running:
        yield running


def sync(
    directory: Path, emulator: Emulator, *, graphql: bool, extra: str = ""
) -> subprocess.CompletedProcess[str]:
    directory.mkdir()
    (directory / "tracker.toml").write_text(
        textwrap.dedent(
            f"""
            [github]
            org = "acme"

            [repos]
            topics = {json.dumps(list(TOPICS))}

            [sync]
            graphql = {"true" if graphql else "false"}

            [database]
            url = "sqlite:///{directory / "tracker.db"}"
            """
        ),
        encoding="utf-8",
    )
    environment = {
        **os.environ,
        "GITHUB_TOKEN": "ghp_graphql000000000000000000000000000000",
        "GITHUB_API_URL": emulator.url,
        "TRACKER_LOG_FORMAT": "",
    }
    command = [sys.executable, "-m", "tracker.cli", "--config", str(directory / "tracker.toml")]
    return subprocess.run(
        [*command, "sync", "--since", SINCE.isoformat(), *extra.split()],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stored_rows(directory: Path) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(f"sqlite:///{directory / 'tracker.db'}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT {COLUMNS} FROM contribution ORDER BY kind, github_id"))
        found = [tuple(row) for row in rows]
    engine.dispose()
    return found


def emulator_stats(emulator: Emulator) -> dict[str, Any]:
    """What the emulator served since it last counted, by endpoint; counting starts again."""
    found: dict[str, Any] = {}
    for method, path in (("GET", "stats"), ("POST", "reset-stats")):
        request = urllib.request.Request(f"{emulator.url}/_emulator/{path}", method=method)  # noqa: S310
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (the local emulator)
            found = found or json.loads(answer.read())
    return found


def test_graphql_and_rest_store_the_same_rows_and_graphql_costs_less(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator_stats(emulator)
    by_rest = sync(tmp_path / "rest", emulator, graphql=False)
    rest_cost = emulator_stats(emulator)
    by_graphql = sync(tmp_path / "graphql", emulator, graphql=True)
    graphql_cost = emulator_stats(emulator)

    assert by_rest.returncode == 0, by_rest.stderr
    assert by_graphql.returncode == 0, by_graphql.stderr
    rest_rows, graphql_rows = stored_rows(tmp_path / "rest"), stored_rows(tmp_path / "graphql")
    reviews = [row for row in graphql_rows if row[0] == "review"]
    assert len(reviews) > 100
    assert graphql_rows == rest_rows

    review_lists = "GET /repos/{owner}/{repo}/pulls/{number}/reviews"
    assert rest_cost["endpoints"][review_lists]["charged"] > 50
    assert review_lists not in graphql_cost["endpoints"]
    points = graphql_cost["endpoints"]["POST /graphql"]["points"]
    assert 0 < points < rest_cost["endpoints"][review_lists]["charged"] / 10
    assert graphql_cost["total"]["charged"] + points < rest_cost["total"]["charged"] / 2
