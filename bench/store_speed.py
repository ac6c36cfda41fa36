"""Scenarios 5 and 6: the store alone, no HTTP.

5. Query speed on a large stored history, loaded through the store's own bulk path
   (`upsert_contributions`), timing the code paths behind `tracker stats`, `tracker query`
   and the digest in-process, as the CLI runs them (a fresh session per call).
6. Ingest: `upsert_contributions` throughput for new, unchanged and edited rows.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.databases import POSTGRESQL, Database, Databases
from bench.measure import median, run_measured, time_calls
from bench.synthetic import COUNTED_TOPIC, SyntheticOrg, retitled
from tracker.cli import run as run_cli
from tracker.domain import Contribution
from tracker.membership import Listing
from tracker.store import migrate
from tracker.store.contributions import upsert_contributions
from tracker.store.engine import make_engine
from tracker.store.repos import upsert_repo
from tracker.sync.people import take_listing

LOAD_CHUNK = 10_000
INGEST_CHUNK = 1_000
SMALL_CHUNK = 10
QUERY_TARGET_MS = 200.0
PROCESS_RUNS = 3
PLAN_LINE_CHARS = 200
_LITERAL = re.compile(r"'[^']*'(::[a-z ]+(\[\])?)?")
INGEST_TARGET_PER_SECOND = 20_000.0
SyncNow = datetime(2026, 11, 28, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    rows: int
    people: int
    repos: int
    days: int
    runs: int


@dataclass(frozen=True, slots=True)
class IngestPlan:
    rows: int
    runs: int
    small_rows: int


# --- shared -------------------------------------------------------------------------


def open_store(database: Database) -> Engine:
    engine = make_engine(database.url)
    migrate.upgrade(engine)
    return engine


def write_store_config(workdir: Path, database: Database) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"{database.name}.toml"
    path.write_text(
        f'[github]\norg = "acme"\n\n[repos]\ntopics = ["{COUNTED_TOPIC}"]\n\n'
        f'[database]\nurl = "{database.url}"\n'
    )
    return path


def upsert_in_chunks(engine: Engine, contributions: Iterable[Contribution], chunk: int) -> tuple[int, float]:
    """Rows written and seconds taken, one `upsert_contributions` call and commit per chunk."""
    written, started = 0, time.perf_counter()
    iterator = iter(contributions)
    with Session(engine) as session:
        while batch := list(islice(iterator, chunk)):
            upsert_contributions(session, batch, now=SyncNow)
            session.commit()
            written += len(batch)
    return written, time.perf_counter() - started


def analyze(engine: Engine) -> None:
    """Settle PostgreSQL after a bulk load: VACUUM ANALYZE, which autovacuum would run soon anyway
    (and would otherwise run during the timings, on the same two cores)."""
    if engine.dialect.name == POSTGRESQL:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))


# --- 5. query speed ---------------------------------------------------------------------


def load_history(engine: Engine, org: SyntheticOrg, rows: int) -> dict[str, Any]:
    with Session(engine) as session:
        take_listing(session, Listing(tuple(org.members()), org.end))
        for record in org.repo_records():
            upsert_repo(session, record)
        session.commit()
    written, seconds = upsert_in_chunks(engine, org.contributions(rows), LOAD_CHUNK)
    analyze(engine)
    return {"rows": written, "seconds": round(seconds, 1), "per_second": round(written / seconds)}


@dataclass(frozen=True, slots=True)
class QueryOp:
    """One `tracker` command, run in-process through the CLI's own entry point."""

    name: str
    arguments: tuple[str, ...]

    def argv(self, config: Path) -> list[str]:
        return ["--config", str(config), *self.arguments]

    @property
    def command(self) -> str:
        return "tracker " + " ".join(self.arguments)


def query_ops(org: SyntheticOrg, busy_login: str) -> list[QueryOp]:
    week_end = _monday_on_or_before(org.end)
    week_start = week_end - timedelta(days=7)
    year_start = org.end - timedelta(days=365)
    return [
        QueryOp(
            "stats_by_repo_week",
            (
                "stats",
                "--by",
                "repo",
                "--since",
                _day(week_start),
                "--until",
                _day(week_end),
                "--format",
                "json",
            ),
        ),
        QueryOp(
            "query_login_year",
            (
                "query",
                "--login",
                busy_login,
                "--since",
                _day(year_start),
                "--until",
                _day(org.end),
                "--format",
                "json",
            ),
        ),
        QueryOp("digest_build", ("digest", "--dry-run", "--end", _day(org.end), "--format", "json")),
    ]


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _monday_on_or_before(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def busiest_login(engine: Engine) -> tuple[str, int]:
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT login, COUNT(*) AS n FROM contribution GROUP BY login ORDER BY n DESC LIMIT 1")
        ).one()
    return str(row[0]), int(row[1])


def run_command(argv: list[str]) -> str:
    """`tracker ARGS` in this process (no interpreter start, no imports); its stdout."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = run_cli(argv)
    if code != 0:
        raise RuntimeError(f"tracker {' '.join(argv)} exited with {code}")
    return output.getvalue()


def time_query_op(engine: Engine, op: QueryOp, config: Path, runs: int) -> dict[str, Any]:
    """Median of `runs` in-process runs of the command, its SQL (timed alone and EXPLAINed),
    and a few runs as a separate process (interpreter start and imports included)."""
    argv = op.argv(config)
    result: dict[str, str] = {}

    def once() -> None:
        result["stdout"] = run_command(argv)

    timings = [seconds * 1000 for seconds in time_calls(once, runs)]
    with capture_statements() as statements:
        once()
    processes = [
        run_measured(tracker_process(argv), env=dict(os.environ)).wall_seconds * 1000
        for _ in range(PROCESS_RUNS)
    ]
    return {
        "command": op.command,
        "median_ms": round(median(timings), 1),
        "min_ms": round(min(timings), 1),
        "max_ms": round(max(timings), 1),
        "runs": runs,
        "output_bytes": len(result.get("stdout", "")),
        "process_ms": round(median(processes), 1),
        "met": median(timings) < QUERY_TARGET_MS,
        "sql": explain_statements(engine, statements),
    }


def cli_import_ms() -> float:
    """What every `tracker` command pays before it starts: the interpreter and `import tracker.cli`."""
    command = [sys.executable, "-c", "import tracker.cli"]
    runs = [run_measured(command, env=dict(os.environ)).wall_seconds * 1000 for _ in range(PROCESS_RUNS)]
    return round(median(runs), 1)


def tracker_process(argv: list[str]) -> list[str]:
    script = Path(sys.executable).parent / "tracker"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "tracker.cli"]
    return [*program, *argv]


Statement = tuple[str, Any]


@contextmanager
def capture_statements() -> Iterator[list[Statement]]:
    """The SQL any engine sends while the block runs, with its parameters."""
    seen: list[Statement] = []

    def before(
        connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        seen.append((statement, parameters))

    sa.event.listen(Engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(Engine, "before_cursor_execute", before)


def explain_statements(engine: Engine, statements: list[Statement]) -> list[dict[str, Any]]:
    """For each query on the contribution table: its time alone (execute and fetch) and its plan."""
    explained = []
    for statement, parameters in statements:
        if not _is_data_query(statement):
            continue
        with engine.connect() as connection:
            started = time.perf_counter()
            fetched = len(connection.exec_driver_sql(statement, parameters).fetchall())
            sql_ms = (time.perf_counter() - started) * 1000
            prefix = "EXPLAIN ANALYZE " if engine.dialect.name == POSTGRESQL else "EXPLAIN QUERY PLAN "
            plan = [_plan_line(row) for row in connection.exec_driver_sql(prefix + statement, parameters)]
        explained.append(
            {
                "statement": " ".join(statement.split())[:400],
                "rows": fetched,
                "sql_ms": round(sql_ms, 1),
                "plan": plan,
            }
        )
    return explained


def _is_data_query(statement: str) -> bool:
    """A SELECT on the tracker's tables (not the migration check or the catalog)."""
    text = statement.lstrip().upper()
    return text.startswith("SELECT") and not any(word in text for word in _NOT_DATA)


_NOT_DATA = ("ALEMBIC_VERSION", "PG_CATALOG", "SQLITE_MASTER", "INFORMATION_SCHEMA", "SYNC_LOCK")


def _plan_line(row: sa.Row[Any]) -> str:
    line = _LITERAL.sub("?", str(row[-1]) if len(row) > 1 else str(row[0]))
    return line if len(line) <= PLAN_LINE_CHARS else line[:PLAN_LINE_CHARS] + " ..."


def run_query_speed(
    databases: Databases, workdir: Path, plan: QueryPlan, log: Callable[[str], None]
) -> dict[str, Any]:
    results: dict[str, Any] = {"plan": asdict(plan)}
    end = SyncNow
    org = SyntheticOrg(people=plan.people, repos=plan.repos, days=plan.days, end=end)
    for backend in databases.backends:
        database = databases.create("query", backend)
        engine = open_store(database)
        try:
            log(f"  5. loading {plan.rows:,} contributions into {backend}")
            load = load_history(engine, org, plan.rows)
            config = write_store_config(workdir, database)
            login, login_rows = busiest_login(engine)
            ops = {}
            for op in query_ops(org, login):
                log(f"  5. timing {op.name} on {backend}")
                ops[op.name] = time_query_op(engine, op, config, plan.runs)
            results[backend] = {"load": load, "busiest_login_rows": login_rows, "ops": ops}
        finally:
            engine.dispose()
            databases.drop(database)
    results["cli_import_ms"] = cli_import_ms()
    return results


# --- 6. ingest ----------------------------------------------------------------------------


def run_ingest(databases: Databases, plan: IngestPlan, log: Callable[[str], None]) -> dict[str, Any]:
    org = SyntheticOrg(people=2_000, repos=600, days=365, end=SyncNow, seed=11)
    results: dict[str, Any] = {"plan": {"rows": plan.rows, "runs": plan.runs, "small_rows": plan.small_rows}}
    for backend in databases.backends:
        log(f"  6. ingest on {backend}")
        runs = [_ingest_once(databases, backend, org, plan) for _ in range(plan.runs)]
        results[backend] = {
            phase: {
                "per_second": round(median([run[phase] for run in runs])),
                "runs": [round(run[phase]) for run in runs],
                "met": median([run[phase] for run in runs]) >= INGEST_TARGET_PER_SECOND,
            }
            for phase in runs[0]
        }
    return results


def _ingest_once(databases: Databases, backend: str, org: SyntheticOrg, plan: IngestPlan) -> dict[str, float]:
    database = databases.create("ingest", backend)
    engine = open_store(database)
    try:
        rows = list(org.contributions(plan.rows))
        rates = {
            "insert_new": _rate(upsert_in_chunks(engine, rows, len(rows))),
            "upsert_unchanged": _rate(upsert_in_chunks(engine, rows, len(rows))),
            "upsert_edited": _rate(upsert_in_chunks(engine, [retitled(row) for row in rows], len(rows))),
        }
        more = list(org.contributions(plan.rows, first_id=10 * plan.rows + 1, seed=12))
        rates["insert_new_1000_per_commit"] = _rate(upsert_in_chunks(engine, more, INGEST_CHUNK))
        small = org.contributions(plan.small_rows, first_id=20 * plan.rows + 1, seed=13)
        rates["insert_new_10_per_commit"] = _rate(upsert_in_chunks(engine, small, SMALL_CHUNK))
        return rates
    finally:
        engine.dispose()
        databases.drop(database)


def _rate(result: tuple[int, float]) -> float:
    rows, seconds = result
    return rows / seconds if seconds > 0 else 0.0
