"""Scenario 8, start-up: what `tracker` costs before it does any work, against Python itself.

Each comparison runs a command and its baseline as processes in pairs, back to back, the order
alternating from pair to pair, so that both see the machine in the same state; its figure is the
median of the pairs' ratios. The ratios, not the milliseconds, are what carries from one machine
to another.

- `tracker --version` and `tracker --help` against `python -c pass`: target within 6x;
- `tracker query --format json` on a small SQLite store against `python -c "import sqlmodel"`:
  target within 1.5x (a query needs SQLModel anyway; everything else must cost little).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.databases import SQLITE, Database, Databases
from bench.measure import median

HELP_TARGET = 6.0
QUERY_TARGET = 1.5


@dataclass(frozen=True, slots=True)
class StartupPlan:
    pairs: int
    rows: int = 200
    """Contributions in the small store that `query` reads."""


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    command: list[str]
    baseline: list[str]
    target: float


def run_startup(
    databases: Databases, workdir: Path, plan: StartupPlan, log: Callable[[str], None]
) -> dict[str, Any]:
    database = databases.create("startup", SQLITE)
    try:
        config = _small_store(database, workdir, plan.rows)
        figures = {}
        for comparison in comparisons(config):
            log(f"8. start-up: {' '.join(_shown(comparison.command))}, {plan.pairs} pairs")
            figures[comparison.name] = paired(comparison, plan.pairs)
    finally:
        databases.drop(database)
    return {"pairs": plan.pairs, "rows": plan.rows, "comparisons": figures}


def comparisons(config: Path) -> list[Comparison]:
    from bench.store_speed import tracker_process

    python = sys.executable
    query = tracker_process(["--config", str(config), "query", "--format", "json"])
    return [
        Comparison("version", tracker_process(["--version"]), [python, "-c", "pass"], HELP_TARGET),
        Comparison("help", tracker_process(["--help"]), [python, "-c", "pass"], HELP_TARGET),
        Comparison("query_json", query, [python, "-c", "import sqlmodel"], QUERY_TARGET),
    ]


def paired(comparison: Comparison, pairs: int) -> dict[str, Any]:
    """Median wall times and the median of the pairs' ratios, after one untimed run of each."""
    for argv in (comparison.command, comparison.baseline):
        wall_seconds(argv)
    command_ms, baseline_ms, ratios = [], [], []
    for index in range(pairs):
        if index % 2 == 0:
            command, baseline = wall_seconds(comparison.command), wall_seconds(comparison.baseline)
        else:
            baseline, command = wall_seconds(comparison.baseline), wall_seconds(comparison.command)
        command_ms.append(command * 1000)
        baseline_ms.append(baseline * 1000)
        ratios.append(command / baseline)
    ratio = median(ratios)
    return {
        "command": " ".join(_shown(comparison.command)),
        "baseline": " ".join(_shown(comparison.baseline)),
        "command_ms": round(median(command_ms), 1),
        "baseline_ms": round(median(baseline_ms), 1),
        "ratio": round(ratio, 2),
        "target": comparison.target,
        "met": ratio <= comparison.target,
    }


def wall_seconds(argv: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def _small_store(database: Database, workdir: Path, rows: int) -> Path:
    from bench.store_speed import SyncNow, load_history, open_store, write_store_config
    from bench.synthetic import SyntheticOrg

    engine = open_store(database)
    try:
        load_history(engine, SyntheticOrg(people=20, repos=10, days=90, end=SyncNow), rows)
    finally:
        engine.dispose()
    return write_store_config(workdir, database)


def _shown(argv: Sequence[str]) -> list[str]:
    """A command as an operator would type it: `tracker ...` and `python ...`, without the paths
    of the interpreter and of the benchmark's config file."""
    names = {sys.executable: "python", str(Path(sys.executable).parent / "tracker"): "tracker"}
    shown = [names.get(part, part) for part in argv]
    if shown[:3] == ["python", "-m", "tracker.cli"]:
        shown = ["tracker", *shown[3:]]
    if shown[1:2] == ["--config"]:
        shown = [shown[0], *shown[3:]]
    return shown
