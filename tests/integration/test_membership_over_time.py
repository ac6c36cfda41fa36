"""Membership over time, whole-process: `tracker sync` three times against the GitHub emulator while
its organization changes, checked against the emulator's own ground truth through `tracker query`
and `tracker stats` (the one counting path).

The timeline keeps every piece of new activity clear of the syncs' start times: the emulator's clock
jumps to the wall clock with no activity right after each sync, and new activity comes only after
that. So "a member until the second sync's start" and "until the emulator's clock after it" select
the same contributions, and the ground truth can be asked with windows in the emulator's own time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.github_emulator import Emulator, Window, running_emulator

TOPICS = ("llm", "machine-learning", "deep-learning")
WORLD_DAYS = 90
START = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
# The whole world's history: every open PR of the first sync is within it, and followed.
SINCE = (START - timedelta(days=WORLD_DAYS + 1)).date()

Row = tuple[str, str, str, int, str]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A world of its own: its organization changes during the test."""
    world = ["--seed=11", "--people=14", "--repos=10", "--contributions=2500", f"--days={WORLD_DAYS}"]
    clock = f"--now={START:%Y-%m-%dT%H:%M:%SZ}"
    with running_emulator(*world, clock, "--search-limit=100000", "--core-limit=100000") as running:
        yield running


def tracker(workdir: Path, emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "GITHUB_TOKEN": "ghp_membership000000000000000000000000000",
        "GITHUB_API_URL": emulator.url,
        "TRACKER_LOG_FORMAT": "",
    }
    command = [sys.executable, "-m", "tracker.cli", "--config", str(workdir / "tracker.toml"), *args]
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return result


def sync(workdir: Path, emulator: Emulator, *args: str) -> None:
    assert "sync done:" in tracker(workdir, emulator, "sync", *args).stderr


def counted(workdir: Path, emulator: Emulator) -> list[Row]:
    rows = json.loads(
        tracker(workdir, emulator, "query", "--since", SINCE.isoformat(), "--format", "json").stdout
    )
    return [_row(row) for row in rows]


def totals_by_login(workdir: Path, emulator: Emulator) -> dict[str, int]:
    result = tracker(
        workdir, emulator, "stats", "--by", "login", "--since", SINCE.isoformat(), "--format", "json"
    )
    return {row["login"].lower(): row["total"] for row in json.loads(result.stdout)}


def truth(emulator: Emulator, windows: dict[str, Window]) -> Counter[Row]:
    """The rows counted as a multiset: new activity comes in seconds, so two comments by one
    person on one issue can share their second."""
    start = datetime.combine(SINCE, datetime.min.time(), tzinfo=UTC)
    return Counter(_row(row) for row in emulator.truth(start, TOPICS, windows))


def _row(row: dict[str, Any]) -> Row:
    return (row["kind"], row["login"].lower(), row["repo"].lower(), row["number"], row["occurred_at"])


def _at(row: Row) -> datetime:
    return datetime.fromisoformat(row[4].replace("Z", "+00:00"))


def test_a_leaver_counts_until_the_sync_that_saw_them_go_and_a_joiner_from_the_sync_before(
    tmp_path: Path, database_url: str, emulator: Emulator
) -> None:
    (tmp_path / "tracker.toml").write_text(
        textwrap.dedent(
            f"""
            [github]
            org = "acme"

            [repos]
            topics = {json.dumps(list(TOPICS))}

            [database]
            url = "{database_url}"
            """
        ),
        encoding="utf-8",
    )
    accounts = emulator.accounts()
    people = [a for a in accounts if a["type"] == "User"]
    leaver = max((a for a in people if a["member"]), key=lambda a: a["contributions"])["login"].lower()
    joiner = max((a for a in people if not a["member"]), key=lambda a: a["contributions"])["login"].lower()

    sync(tmp_path, emulator, "--since", SINCE.isoformat())
    after_first = emulator.advance_to_wall_clock()  # no activity between the first sync's start and here
    emulator.change_membership(join=[joiner], leave=[leaver])
    time.sleep(2)
    emulator.advance_to_wall_clock(150, seed=21, authors=[leaver, joiner])
    sync(tmp_path, emulator)
    after_second = emulator.advance_to_wall_clock()  # none between the second sync's start and here
    time.sleep(2)
    emulator.advance_to_wall_clock(80, seed=22, authors=[leaver])
    sync(tmp_path, emulator)

    expected = truth(emulator, {leaver: (None, after_second), joiner: (after_first, None)})
    rows = counted(tmp_path, emulator)
    assert Counter(rows) == expected
    by_login: Counter[str] = Counter()
    for row, times in expected.items():
        by_login[row[1]] += times
    assert totals_by_login(tmp_path, emulator) == dict(by_login)

    # What each side of the rule holds, so that the equality above says something.
    everything = truth(emulator, {leaver: (None, None), joiner: (None, None)})
    leavers = [row for row in everything if row[1] == leaver]
    joiners = [row for row in everything if row[1] == joiner]
    assert sum(after_first <= _at(row) < after_second for row in leavers) > 5  # counted: before the 2nd sync
    assert sum(_at(row) >= after_second for row in leavers) > 5  # not counted: after it
    assert sum(_at(row) < after_first for row in joiners) > 50  # a long history: not counted
    assert sum(_at(row) >= after_first for row in joiners) > 5  # counted: since joining
    assert {row for row in leavers if _at(row) < after_second} <= set(rows)  # kept, forever
    assert not [row for row in rows if row[1] == leaver and _at(row) >= after_second]
    assert not [row for row in rows if row[1] == joiner and _at(row) < after_first]

    members = json.loads(tracker(tmp_path, emulator, "members", "--format", "json").stdout)
    membership = {row["login"].lower(): row["membership"] for row in members if row["counts"]}
    (left,) = membership[leaver]
    (joined,) = membership[joiner]
    assert left["start"] is None and after_first < _parse(left["end"]) < after_second
    assert joined["end"] is None and START < _parse(joined["start"]) < after_first


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
