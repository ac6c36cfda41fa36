"""`tracker sync` as a real separate process against the emulator, measured from the outside.

The tracker reaches the emulator only through GITHUB_API_URL, exactly as it reaches GitHub.
Requests are counted by the emulator, not by the tracker.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.emulator_process import EmulatorProcess
from bench.measure import ProcessRun, run_measured

ORG = "acme"
TOKEN = "bench-token"  # noqa: S105 (the emulator takes any token)
SEARCH_PER_MINUTE = 30
CORE_PER_HOUR = 5_000
GRAPHQL_POINTS_PER_HOUR = 5_000
GRAPHQL = "POST /graphql"
_SUMMARY = re.compile(r"(\d+) new and (\d+) updated")


class SyncFailed(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class TrackerSetup:
    """One tracker installation: its config file and database, talking to one emulator."""

    config_path: Path
    database_url: str
    api_url: str
    tracker_src: Path | None = None


def write_config(workdir: Path, *, topics: tuple[str, ...], database_url: str) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "tracker.toml"
    topic_list = ", ".join(f'"{topic}"' for topic in topics)
    path.write_text(
        f'[github]\norg = "{ORG}"\n\n[repos]\ntopics = [{topic_list}]\n\n[database]\nurl = "{database_url}"\n'
    )
    return path


def tracker_environment(setup: TrackerSetup) -> dict[str, str]:
    env = {
        **os.environ,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": setup.api_url,
        "TRACKER_DATABASE_URL": setup.database_url,
    }
    env.pop("TRACKER_LOG_FORMAT", None)
    if setup.tracker_src is not None and str(setup.tracker_src) not in env.get("PYTHONPATH", ""):
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(setup.tracker_src), env.get("PYTHONPATH")]))
    return env


def tracker_command(setup: TrackerSetup, *arguments: str) -> list[str]:
    """The installed `tracker` console script (beside this Python), as an operator runs it."""
    script = Path(sys.executable).parent / "tracker"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "tracker.cli"]
    return [*program, "--config", str(setup.config_path), *arguments]


@dataclass(frozen=True, slots=True)
class SyncMeasurement:
    """One sync: the process's own figures and the emulator's count of what it was asked."""

    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    emulator_cpu_seconds: float
    new: int
    updated: int
    requests: int
    charged: int
    not_modified: int
    graphql_points: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)
    not_modified_by_endpoint: dict[str, int] = field(default_factory=dict)

    @property
    def search_requests(self) -> int:
        return self.by_endpoint.get("GET /search/issues", 0)

    @property
    def core_charged(self) -> int:
        return self.charged - self.search_requests

    @property
    def graphql_queries(self) -> int:
        return self.by_endpoint.get(GRAPHQL, 0)

    @property
    def cost_units(self) -> int:
        """What the sync costs against GitHub's limits: REST requests counted against them (304s
        are free) plus GraphQL points (each budget holds 5,000 an hour)."""
        return self.charged + self.graphql_points

    def github_floor_minutes(self) -> dict[str, float]:
        """The least wall time GitHub's budgets would allow for these requests (one token)."""
        search = self.search_requests / SEARCH_PER_MINUTE
        core = self.core_charged / CORE_PER_HOUR * 60
        graphql = self.graphql_points / GRAPHQL_POINTS_PER_HOUR * 60
        return {
            "search_minutes": round(search, 1),
            "core_minutes": round(core, 1),
            "graphql_minutes": round(graphql, 1),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "wall_seconds": round(self.wall_seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "emulator_cpu_seconds": round(self.emulator_cpu_seconds, 2),
            "new": self.new,
            "updated": self.updated,
            "requests": self.requests,
            "charged": self.charged,
            "not_modified": self.not_modified,
            "graphql_queries": self.graphql_queries,
            "graphql_points": self.graphql_points,
            "cost_units": self.cost_units,
            "search_requests": self.search_requests,
            "github_floor": self.github_floor_minutes(),
            "by_endpoint": dict(sorted(self.by_endpoint.items())),
            "not_modified_by_endpoint": dict(sorted(self.not_modified_by_endpoint.items())),
        }


def run_sync(setup: TrackerSetup, emulator: EmulatorProcess, *, since: date | None) -> SyncMeasurement:
    """One `tracker sync` from start to exit, with the emulator's request counts for it alone."""
    arguments = ["sync", "--since", since.isoformat()] if since else ["sync"]
    emulator.reset_stats()
    emulator_cpu = emulator.cpu_seconds()
    run = run_measured(tracker_command(setup, *arguments), env=tracker_environment(setup))
    emulator_cpu = emulator.cpu_seconds() - emulator_cpu
    if run.exit_code != 0:
        raise SyncFailed(f"tracker sync exited with {run.exit_code}: {_tail(run.stderr)}")
    return _measurement(run, emulator.stats(), emulator_cpu)


def _measurement(run: ProcessRun, stats: dict[str, Any], emulator_cpu: float) -> SyncMeasurement:
    match = _SUMMARY.search(run.stderr)
    new, updated = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    endpoints: dict[str, dict[str, Any]] = stats["endpoints"]
    return SyncMeasurement(
        wall_seconds=run.wall_seconds,
        cpu_seconds=run.cpu_seconds,
        peak_rss_mb=run.peak_rss_mb,
        emulator_cpu_seconds=emulator_cpu,
        new=new,
        updated=updated,
        requests=int(stats["total"]["requests"]),
        charged=int(stats["total"]["charged"]),
        not_modified=int(stats["total"]["not_modified"]),
        graphql_points=int(stats["total"].get("points", 0)),
        by_endpoint={name: int(counts["requests"]) for name, counts in endpoints.items()},
        not_modified_by_endpoint={
            name: int(counts["not_modified"]) for name, counts in endpoints.items() if counts["not_modified"]
        },
    )


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
