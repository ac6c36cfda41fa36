"""`python -m bench`: every scenario of BENCHMARKS.md, results to bench/results/latest.json and a table.

python -m bench              # the full benchmark (about 40 minutes on 2 cores)
python -m bench --quick      # a smaller world and fewer runs (a few minutes)
python -m bench --only 5,6   # some scenarios (1 also runs when 2, 4 or 7 need it)
python -m bench --only 8     # start-up alone (about a minute): `tracker --version` against `python -c pass`

Scenario 7 compares with Perceval twice: on scenario 1's world, where members do 60% of all the
activity in the repos, and on a world of the same size where they do a realistic share of it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

import sqlalchemy as sa

from bench.databases import POSTGRESQL, SQLITE, Databases
from bench.emulator_process import EmulatorProcess, WorldSize
from bench.machine import ROOT, code_version, describe_machine
from bench.measure import load_average
from bench.peer import compare, run_perceval
from bench.report import render_text, targets
from bench.startup import StartupPlan, run_startup
from bench.store_speed import IngestPlan, QueryPlan, run_ingest, run_query_speed
from bench.sync_scenarios import (
    PERCEVAL_RATIO_TARGET,
    BackfillSeries,
    SyncContext,
    backfill_summary,
    growth_exponents,
    growth_point,
    run_backfills,
    run_incremental,
)

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "latest.json"
TOPICS = ("llm", "machine-learning", "deep-learning")
ALL_SCENARIOS = (1, 2, 3, 4, 5, 6, 7, 8)
REALISTIC_MEMBER_SHARE = 0.1
"""Members' share of all activity in scenario 7's second world: most organizations are well under
10% of the activity in the large open-source AI repos they contribute to."""


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    world: WorldSize
    runs: int
    growth: tuple[float, ...]
    growth_runs: int
    incremental_runs: int
    incremental_share: float
    query: QueryPlan
    ingest: IngestPlan
    perceval_max_repos: int | None
    realistic_member_share: float
    startup: StartupPlan

    @property
    def realistic_world(self) -> WorldSize:
        """Scenario 7's second world: scenario 1's sizes, but members do a small share of the activity."""
        return replace(self.world, member_share=self.realistic_member_share)


FULL = Plan(
    name="full",
    world=WorldSize(people=200, repos=60, contributions=100_000, days=365),
    runs=3,
    growth=(0.25, 0.5, 1.0, 2.0),
    growth_runs=1,
    incremental_runs=3,
    incremental_share=0.01,
    query=QueryPlan(rows=1_000_000, people=2_000, repos=600, days=1_095, runs=15),
    ingest=IngestPlan(rows=100_000, runs=3, small_rows=5_000),
    perceval_max_repos=None,
    realistic_member_share=REALISTIC_MEMBER_SHARE,
    startup=StartupPlan(pairs=31),
)
QUICK = Plan(
    name="quick",
    world=WorldSize(people=200, repos=60, contributions=10_000, days=365),
    runs=1,
    growth=(0.25, 0.5, 1.0, 2.0),
    growth_runs=1,
    incremental_runs=1,
    incremental_share=0.01,
    query=QueryPlan(rows=100_000, people=500, repos=150, days=1_095, runs=5),
    ingest=IngestPlan(rows=20_000, runs=1, small_rows=1_000),
    perceval_max_repos=None,
    realistic_member_share=REALISTIC_MEMBER_SHARE,
    startup=StartupPlan(pairs=11),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller world and one run each")
    parser.add_argument("--only", default="", help="comma-separated scenario numbers (1-8)")
    parser.add_argument("--runs", type=int, default=None, help="backfill and re-sync repetitions")
    parser.add_argument("--contributions", type=int, default=None, help="scenario 1's world size")
    parser.add_argument("--query-rows", type=int, default=None, help="scenario 5's stored contributions")
    parser.add_argument("--query-people", type=int, default=None, help="scenario 5's people")
    parser.add_argument("--query-repos", type=int, default=None, help="scenario 5's repos")
    parser.add_argument("--query-days", type=int, default=None, help="scenario 5's history, in days")
    parser.add_argument("--perceval-max-repos", type=int, default=None, help="sample Perceval's repos")
    parser.add_argument("--startup-pairs", type=int, default=None, help="scenario 8's paired runs")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server for PostgreSQL databases ('' to skip PostgreSQL)",
    )
    parser.add_argument("--sync-backend", choices=(SQLITE, POSTGRESQL), default=SQLITE)
    parser.add_argument(
        "--tracker-src", type=Path, default=None, help="measure the tracker package in this directory (A/B)"
    )
    parser.add_argument(
        "--commit", default=None, help="measure this commit's tracker (exported; the working tree may change)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--workdir", type=Path, default=None, help="keep databases and configs here")
    return parser


def plan_from(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else FULL
    if args.runs is not None:
        plan = replace(plan, runs=args.runs, incremental_runs=args.runs)
    if args.contributions is not None:
        plan = replace(plan, world=replace(plan.world, contributions=args.contributions))
    query = plan.query
    for name in ("rows", "people", "repos", "days"):
        value = getattr(args, f"query_{name}")
        if value is not None:
            query = replace(query, **{name: value})
    plan = replace(plan, query=query)
    if args.perceval_max_repos is not None:
        plan = replace(plan, perceval_max_repos=args.perceval_max_repos)
    if args.startup_pairs is not None:
        plan = replace(plan, startup=replace(plan.startup, pairs=args.startup_pairs))
    return plan


def scenarios_from(text: str) -> set[int]:
    chosen = {int(part) for part in text.split(",") if part.strip()} or set(ALL_SCENARIOS)
    unknown = chosen - set(ALL_SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {sorted(unknown)}")
    return chosen


def postgres_reachable(url: str) -> str | None:
    """The URL when its server answers, else None (the PostgreSQL columns are then left out)."""
    if not url:
        return None
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return url
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.plan = plan_from(args)
        self.scenarios = scenarios_from(args.only)
        postgres = postgres_reachable(args.postgres_url)
        if args.postgres_url and postgres is None:
            log(f"PostgreSQL at {args.postgres_url} is not reachable: SQLite only")
        self.databases = Databases(workdir, postgres)
        self.context = SyncContext(workdir, self.databases, args.sync_backend, TOPICS, args.tracker_src, log)
        self.output: Path = args.output
        self.results: dict[str, Any] = {
            "plan": _plan_json(self.plan),
            "machine": describe_machine(self.databases.server_version()),
            "code": code_version(args.tracker_src),
            "sync_backend": args.sync_backend,
            "scenarios": {},
        }
        self._scenario1: BackfillSeries | None = None

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            if self.scenarios & {1, 2, 4, 7}:
                self._with_scenario1_world()
            if 7 in self.scenarios:
                self._peer_realistic()
            if 3 in self.scenarios:
                self._growth()
            if 5 in self.scenarios:
                self._save(
                    "5_query_speed",
                    run_query_speed(self.databases, self.context.workdir, self.plan.query, log),
                )
            if 6 in self.scenarios:
                self._save("6_ingest", run_ingest(self.databases, self.plan.ingest, log))
            if 8 in self.scenarios:
                self._save(
                    "8_startup", run_startup(self.databases, self.context.workdir, self.plan.startup, log)
                )
        finally:
            self.databases.drop_all()
        self.results["total_minutes"] = round((time.perf_counter() - started) / 60, 1)
        self.results["machine"]["load_average_at_end"] = round(load_average(), 2)
        self.results["targets"] = targets(self.results)
        self._write()
        return self.results

    def _save(self, name: str, result: dict[str, Any]) -> None:
        self.results["scenarios"][name] = result
        self._write()

    def _write(self) -> None:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.output.write_text(json.dumps(self.results, indent=2, default=str) + "\n")

    def _with_scenario1_world(self) -> None:
        log(f"1. backfill: starting the emulator ({self.plan.world.contributions:,} contributions)")
        with EmulatorProcess(self.plan.world) as emulator:
            series = run_backfills(self.context, emulator, self.plan.world, self.plan.runs, "backfill")
            self._scenario1 = series
            summary = backfill_summary(series)
            self._save("1_backfill", summary)
            self._save("4_memory", _memory_summary(summary))
            if 7 in self.scenarios:
                self._peer(emulator, series, summary)
            if 2 in self.scenarios:
                incremental = run_incremental(
                    self.context, emulator, series, self.plan.incremental_runs, self.plan.incremental_share
                )
                self._save("2_incremental", incremental)

    def _peer(self, emulator: EmulatorProcess, series: BackfillSeries, summary: dict[str, Any]) -> None:
        self._save("7_perceval", self._perceval_side_by_side(emulator, series, summary))

    def _peer_realistic(self) -> None:
        """Scenario 7 again on a world where members do a realistic share of the activity."""
        size = self.plan.realistic_world
        log(
            f"7. realistic member share: starting the emulator ({size.contributions:,} contributions, "
            f"{size.member_share:.0%} of them by members)"
        )
        with EmulatorProcess(size) as emulator:
            series = run_backfills(self.context, emulator, size, 1, "realistic")
            summary = backfill_summary(series)
            side_by_side = self._perceval_side_by_side(emulator, series, summary)
            self.databases.drop(series.last.database)
        standard = self.results["scenarios"].get("7_perceval", {})
        self._save("7_perceval", {**standard, "realistic": {"backfill": summary, **side_by_side}})

    def _perceval_side_by_side(
        self, emulator: EmulatorProcess, series: BackfillSeries, summary: dict[str, Any]
    ) -> dict[str, Any]:
        from bench.accuracy import tracked

        repos = tracked(series.last.setup.config_path).counted_repos
        sample = repos[: self.plan.perceval_max_repos] if self.plan.perceval_max_repos else repos
        log(f"7. Perceval on {len(sample)} of {len(repos)} counted repos")
        perceval = run_perceval(emulator, sample, series.since, log)
        perceval["counted_repos"] = len(repos)
        return {
            "world": summary["world"],
            "perceval": perceval,
            "comparison": compare(summary, perceval, PERCEVAL_RATIO_TARGET),
        }

    def _growth(self) -> None:
        points = []
        for factor in self.plan.growth:
            if factor == 1.0 and self._scenario1 is not None:
                points.append(growth_point(self._scenario1, factor))
                continue
            size = self.plan.world.scaled(factor)
            log(f"3. growth: {factor:.0%} ({size.contributions:,} contributions)")
            with EmulatorProcess(size) as emulator:
                series = run_backfills(self.context, emulator, size, self.plan.growth_runs, f"growth{factor}")
                points.append(growth_point(series, factor))
                self.databases.drop(series.last.database)
            self._save("3_growth", {"points": points})
        self._save("3_growth", {"points": points, "exponents": growth_exponents(points)})


def _memory_summary(backfill: dict[str, Any]) -> dict[str, Any]:
    return {
        "peak_rss_mb": backfill["peak_rss_mb"],
        "peak_rss_mb_max": backfill["peak_rss_mb_max"],
        "runs": backfill["runs"],
        "target_mb": 200,
        "met": backfill["peak_rss_mb_max"] < 200,
    }


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "world": {
            "people": plan.world.people,
            "repos": plan.world.repos,
            "contributions": plan.world.contributions,
            "days": plan.world.days,
            "seed": plan.world.seed,
            "member_share": plan.world.member_share,
        },
        "realistic_member_share": plan.realistic_member_share,
        "runs": plan.runs,
        "growth": list(plan.growth),
        "growth_runs": plan.growth_runs,
        "incremental_runs": plan.incremental_runs,
        "incremental_share": plan.incremental_share,
        "query_rows": plan.query.rows,
        "query_people": plan.query.people,
        "query_repos": plan.query.repos,
        "query_days": plan.query.days,
        "query_runs": plan.query.runs,
        "ingest_rows": plan.ingest.rows,
        "ingest_runs": plan.ingest.runs,
        "perceval_max_repos": plan.perceval_max_repos,
        "startup_pairs": plan.startup.pairs,
    }


def _stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so that the emulator, syncs and databases are cleaned up."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _stop_on_sigterm()
    keep = args.workdir is not None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = Bench(args, workdir).run()
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        if args.commit and args.tracker_src:
            shutil.rmtree(args.tracker_src, ignore_errors=True)
    print(render_text(results))
    log(f"results: {args.output}")
    dated = dated_copy(args, results)
    if dated is not None:
        log(f"and a dated copy to commit: {dated}")
    return 0


def dated_copy(args: argparse.Namespace, results: dict[str, Any]) -> Path | None:
    """A full run of every scenario into the default place is also kept as <date>-<commit>.json."""
    if args.quick or args.only or args.output != DEFAULT_OUTPUT:
        return None
    code = results["code"]
    suffix = "-dirty" if code["tracker_uncommitted_changes"] else ("-src" if code["tracker_src"] else "")
    output: Path = args.output
    path = output.parent / f"{results['machine']['date'][:10]}-{code['commit']}{suffix}.json"
    shutil.copyfile(output, path)
    return path
