"""Scenarios 1-4: backfill, incremental re-syncs, growth and memory, each a real `tracker sync`."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from bench.accuracy import Accuracy, check_against_truth, tracked
from bench.databases import Database, Databases
from bench.emulator_process import EmulatorProcess, WorldSize
from bench.measure import median, spread
from bench.tracker_sync import SyncMeasurement, TrackerSetup, run_sync, write_config

MEMORY_TARGET_MB = 200.0
NO_CHANGE_PER_TRACKED = 50
PERCEVAL_RATIO_TARGET = 15.0
Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class SyncContext:
    workdir: Path
    databases: Databases
    backend: str
    topics: tuple[str, ...]
    tracker_src: Path | None
    log: Log


@dataclass
class Backfilled:
    """A finished backfill whose database later scenarios continue from."""

    setup: TrackerSetup
    database: Database
    since: date
    measurement: SyncMeasurement
    accuracy: Accuracy


@dataclass
class BackfillSeries:
    size: WorldSize
    since: date
    truth: dict[str, Any]
    runs: list[Backfilled]

    @property
    def last(self) -> Backfilled:
        return self.runs[-1]

    def median_of(self, name: str) -> float:
        return median([float(getattr(run.measurement, name)) for run in self.runs])


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def backfill_since(emulator: EmulatorProcess, size: WorldSize) -> date:
    """The first day of the world's history: the tracker is asked for exactly that history."""
    return (emulator.started_now - timedelta(days=size.days)).date()


def run_backfills(
    context: SyncContext, emulator: EmulatorProcess, size: WorldSize, runs: int, label: str
) -> BackfillSeries:
    """`runs` backfills of the same world, each into a fresh database; the last database is kept."""
    since = backfill_since(emulator, size)
    truth = emulator.truth(_start_of(since), context.topics, rows=True)
    series = BackfillSeries(size, since, truth, [])
    for index in range(runs):
        if series.runs:
            context.databases.drop(series.runs[-1].database)
        database = context.databases.create(f"{label}{index}", context.backend)
        setup = TrackerSetup(
            write_config(
                context.workdir / f"{label}{index}", topics=context.topics, database_url=database.url
            ),
            database.url,
            emulator.url,
            context.tracker_src,
        )
        context.log(f"  {label}: backfill {index + 1}/{runs} of {size.contributions:,} contributions")
        measurement = run_sync(setup, emulator, since=since)
        accuracy = check_against_truth(setup.config_path, truth["contributions"])
        context.log(
            f"    {measurement.wall_seconds:.1f}s, {measurement.requests:,} requests, "
            f"{measurement.peak_rss_mb:.0f} MB; missing {accuracy.missing}, extra {accuracy.extra}"
        )
        series.runs.append(Backfilled(setup, database, since, measurement, accuracy))
    return series


def backfill_summary(series: BackfillSeries) -> dict[str, Any]:
    """Scenario 1 (and 4): medians over the runs, requests by endpoint, ratio to the minimum."""
    first = series.runs[0].measurement
    wall = series.median_of("wall_seconds")
    counted = int(series.truth["total"])
    minimum = series.truth["minimum_pages"]
    walls = [run.measurement.wall_seconds for run in series.runs]
    return {
        "world": asdict(series.size),
        "since": series.since.isoformat(),
        "runs": len(series.runs),
        "counted_contributions": counted,
        "truth_by_kind": series.truth["by_kind"],
        "people": series.truth["people"],
        "wall_seconds": round(wall, 1),
        "wall_seconds_runs": [round(value, 1) for value in walls],
        "spread": round(spread(walls), 3),
        "cpu_seconds": round(series.median_of("cpu_seconds"), 1),
        "emulator_cpu_seconds": round(series.median_of("emulator_cpu_seconds"), 1),
        "contributions_per_second": round(counted / wall, 1),
        "stored_rows": first.new,
        "requests": first.requests,
        "charged": first.charged,
        "not_modified": first.not_modified,
        "graphql_queries": first.graphql_queries,
        "graphql_points": first.graphql_points,
        "cost_units": first.cost_units,
        "requests_by_endpoint": dict(sorted(first.by_endpoint.items())),
        "requests_identical_across_runs": len({run.measurement.requests for run in series.runs}) == 1,
        "minimum_pages": minimum,
        "ratio_to_minimum": round(first.requests / int(minimum["total"]), 1),
        "search_requests": first.search_requests,
        "github_floor": first.github_floor_minutes(),
        "peak_rss_mb": round(series.median_of("peak_rss_mb"), 1),
        "peak_rss_mb_max": round(max(run.measurement.peak_rss_mb for run in series.runs), 1),
        "accuracy": [run.accuracy.to_json() for run in series.runs],
        "exact": all(run.accuracy.exact for run in series.runs),
    }


# --- 2. incremental ---------------------------------------------------------------------------


def run_incremental(
    context: SyncContext, emulator: EmulatorProcess, series: BackfillSeries, runs: int, share: float
) -> dict[str, Any]:
    """Re-syncs on the last backfill's database: first with nothing new, then with `share` new activity."""
    base = series.last
    known = tracked(base.setup.config_path)
    tracked_total = known.people + len(known.counted_repos)
    allowed = math.floor(tracked_total / NO_CHANGE_PER_TRACKED)
    no_change = []
    for index in range(runs):
        context.log(f"  2. re-sync with nothing new {index + 1}/{runs}")
        no_change.append(run_sync(base.setup, emulator, since=None))
    new_activity = round(series.size.contributions * share)
    with_new = []
    for index in range(runs):
        context.log(f"  2. re-sync after {new_activity:,} new contributions {index + 1}/{runs}")
        added = emulator.advance_to_wall_clock(new_activity, seed=100 + index)
        measurement = run_sync(base.setup, emulator, since=None)
        truth = emulator.truth(_start_of(base.since), context.topics, rows=True)
        accuracy = check_against_truth(base.setup.config_path, truth["contributions"])
        with_new.append((measurement, accuracy, added))
    no_change_charged = int(median([m.charged for m in no_change]))
    return {
        "tracked_people": known.people,
        "tracked_repos": len(known.counted_repos),
        "target_max_charged": allowed,
        "no_change": _resync_summary(no_change),
        "no_change_met": no_change_charged <= allowed,
        "new_activity": new_activity,
        "one_percent": {
            **_resync_summary([measurement for measurement, _, _ in with_new]),
            "added": [added.get("added") for _, _, added in with_new],
            "accuracy": [accuracy.to_json() for _, accuracy, _ in with_new],
            "exact": all(accuracy.exact for _, accuracy, _ in with_new),
        },
    }


def _resync_summary(measurements: list[SyncMeasurement]) -> dict[str, Any]:
    return {
        "runs": len(measurements),
        "wall_seconds": round(median([m.wall_seconds for m in measurements]), 2),
        "requests": int(median([m.requests for m in measurements])),
        "charged": int(median([m.charged for m in measurements])),
        "not_modified": int(median([m.not_modified for m in measurements])),
        "graphql_points": int(median([m.graphql_points for m in measurements])),
        "new": int(median([m.new for m in measurements])),
        "peak_rss_mb": round(median([m.peak_rss_mb for m in measurements]), 1),
        "per_run": [m.to_json() for m in measurements],
    }


# --- 3. growth ----------------------------------------------------------------------------------


def growth_point(series: BackfillSeries, factor: float) -> dict[str, Any]:
    return {
        "factor": factor,
        "contributions": series.size.contributions,
        "counted": int(series.truth["total"]),
        "wall_seconds": round(series.median_of("wall_seconds"), 1),
        "cpu_seconds": round(series.median_of("cpu_seconds"), 1),
        "requests": series.runs[0].measurement.requests,
        "search_requests": series.runs[0].measurement.search_requests,
        "peak_rss_mb": round(series.median_of("peak_rss_mb"), 1),
        "runs": len(series.runs),
        "exact": all(run.accuracy.exact for run in series.runs),
        "missing": max(run.accuracy.missing for run in series.runs),
        "extra": max(run.accuracy.extra for run in series.runs),
    }


def growth_exponents(points: list[dict[str, Any]]) -> dict[str, float]:
    """log(y_last / y_first) / log(x_last / x_first), x = counted contributions: 1.0 is linear."""
    ordered = sorted(points, key=lambda point: point["counted"])
    first, last = ordered[0], ordered[-1]
    scale = math.log(last["counted"] / first["counted"])
    return {
        name: round(math.log(max(last[name], 1e-9) / max(first[name], 1e-9)) / scale, 2)
        for name in ("wall_seconds", "cpu_seconds", "requests", "peak_rss_mb")
    }
