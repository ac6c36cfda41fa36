"""Scenario 7: GrimoireLab's Perceval fetching the same counted repos from the same emulator.

Perceval's GitHub backend is run as its own command (`perceval github --enterprise-url ...`),
once per repo and category (issue, pull_request), from the same first day as the tracker's
backfill. Its requests are counted by the emulator, like the tracker's.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench.emulator_process import EmulatorProcess
from bench.measure import run_measured
from bench.tracker_sync import TOKEN

CATEGORIES = ("issue", "pull_request")
PULL_DETAIL = "GET /repos/{owner}/{repo}/pulls/{number}"
PULL_REVIEWS = "GET /repos/{owner}/{repo}/pulls/{number}/reviews"
USER = "GET /users/{login}"


def perceval_program() -> Path | None:
    program = Path(sys.executable).parent / "perceval"
    return program if program.exists() else None


def perceval_command(
    program: Path, emulator: EmulatorProcess, repo: str, category: str, since: date
) -> list[str]:
    owner, name = repo.split("/", 1)
    return [
        str(program),
        "github",
        "--enterprise-url",
        emulator.url,
        "-t",
        TOKEN,
        "--category",
        category,
        "--from-date",
        since.isoformat(),
        "--no-archive",
        "-o",
        os.devnull,
        owner,
        name,
    ]


def run_perceval(
    emulator: EmulatorProcess, repos: list[str], since: date, log: Callable[[str], None]
) -> dict[str, Any]:
    """Every repo and category in turn; totals of wall time and of the emulator's request counts."""
    program = perceval_program()
    if program is None:
        return {"skipped": "perceval is not installed: pip install -r bench/requirements.txt"}
    emulator.reset_stats()
    wall, peak_rss, failures = 0.0, 0.0, []
    for index, repo in enumerate(repos, start=1):
        for category in CATEGORIES:
            run = run_measured(
                perceval_command(program, emulator, repo, category, since), env=dict(os.environ)
            )
            wall += run.wall_seconds
            peak_rss = max(peak_rss, run.peak_rss_mb)
            if run.exit_code != 0:
                failures.append(f"{repo} {category}: exit {run.exit_code}: {run.stderr.strip()[-300:]}")
        log(f"  7. perceval {index}/{len(repos)} repos, {wall:.0f}s so far")
    stats = emulator.stats()
    startup = run_measured([str(program), "github", "--help"], env=dict(os.environ)).wall_seconds
    invocations = len(repos) * len(CATEGORIES)
    by_endpoint = Counter({name: int(counts["requests"]) for name, counts in stats["endpoints"].items()})
    pulls, users = by_endpoint[PULL_DETAIL], by_endpoint[USER]
    return {
        "repos": len(repos),
        "wall_seconds": round(wall, 1),
        "invocations": invocations,
        "startup_seconds": round(startup, 2),
        "wall_seconds_without_startup": round(wall - invocations * startup, 1),
        "requests": int(stats["total"]["requests"]),
        "charged": int(stats["total"]["charged"]),
        "requests_by_endpoint": dict(sorted(by_endpoint.items())),
        "pull_requests": pulls,
        "user_lookups": users,
        "floor_3_per_pr_2_per_user": 3 * pulls + 2 * users,
        "peak_rss_mb": round(peak_rss, 1),
        "failures": failures,
    }


def compare(tracker: dict[str, Any], perceval: dict[str, Any], target: float) -> dict[str, Any]:
    """Perceval's requests over the tracker's, two ways; the target is judged on total requests.

    Total requests count every request sent. Rate-limited requests are those GitHub charges to
    the token's budget (`charged`): a 304 answer to a conditional request and `/rate_limit` are free.
    The tracker sends conditional requests; Perceval's only free requests are its `/rate_limit` calls.
    """
    if "skipped" in perceval:
        return {"skipped": perceval["skipped"]}
    total_ratio = perceval["requests"] / tracker["requests"]
    return {
        "tracker_requests": tracker["requests"],
        "tracker_not_modified": tracker["not_modified"],
        "tracker_rate_limited": tracker["charged"],
        "perceval_requests": perceval["requests"],
        "perceval_rate_limited": perceval["charged"],
        "tracker_review_requests": tracker["requests_by_endpoint"].get(PULL_REVIEWS, 0),
        "total_request_ratio": round(total_ratio, 1),
        "rate_limited_ratio": round(perceval["charged"] / tracker["charged"], 1),
        "tracker_wall_seconds": tracker["wall_seconds"],
        "perceval_wall_seconds": perceval["wall_seconds"],
        "wall_ratio": round(perceval["wall_seconds"] / tracker["wall_seconds"], 1),
        "target_ratio": target,
        "met": total_ratio >= target,
    }
