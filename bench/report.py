"""Tables from a results JSON, and which targets were met.

    python -m bench.report [bench/results/latest.json]

prints the same Markdown tables `python -m bench` prints at the end (BENCHMARKS.md quotes them).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.emulator.seed import DEFAULT_MEMBER_SHARE

Result = dict[str, Any]
GROWTH_LINEAR_EXPONENT = 1.1
FLAT_MEMORY_EXPONENT = 0.15


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(header) for header in headers], *[[_cell(value) for value in row] for row in rows]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(headers))]
    lines = [
        "| " + " | ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def _by_count(item: Sequence[Any]) -> int:
    return -int(item[1])


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


# --- targets --------------------------------------------------------------------------------


def targets(results: Result) -> list[Result]:
    found: list[Result] = []
    scenarios: Result = results.get("scenarios", {})
    for name, check in _CHECKS:
        if name in scenarios:
            found.extend(check(scenarios[name]))
    return found


def _target(scenario: str, target: str, measured: str, met: bool | None) -> Result:
    """`met` None: a figure reported for reference, with no target of its own."""
    return {"scenario": scenario, "target": target, "measured": measured, "met": met}


def _backfill_targets(result: Result) -> list[Result]:
    wrong = sum(a["missing"] + a["extra"] + a["mismatched"] for a in result["accuracy"])
    return [
        _target(
            "1",
            "backfill equals the ground truth",
            f"{wrong} wrong of {result['counted_contributions']:,}",
            result["exact"],
        )
    ]


def _incremental_targets(result: Result) -> list[Result]:
    charged = result["no_change"]["charged"]
    return [
        _target(
            "2",
            "no-change re-sync: <= 1 rate-limited request per 50 tracked people and repos "
            f"(<= {result['target_max_charged']})",
            f"{charged} rate-limited, {result['no_change']['not_modified']} answered 304",
            result["no_change_met"],
        ),
        _target(
            "2",
            "1% re-sync equals the ground truth",
            _wrong(result["one_percent"]["accuracy"]),
            result["one_percent"]["exact"],
        ),
    ]


def _wrong(accuracies: list[Result]) -> str:
    missing, extra, differ = (sum(a[name] for a in accuracies) for name in ("missing", "extra", "mismatched"))
    return f"{missing} missing / {extra} extra / {differ} differ over {len(accuracies)} run(s)"


def _growth_targets(result: Result) -> list[Result]:
    exponents = result.get("exponents")
    if not exponents:
        return []
    return [
        _target(
            "3",
            f"{name} grows linearly or better (exponent <= {GROWTH_LINEAR_EXPONENT})",
            f"exponent {exponents[name]}",
            exponents[name] <= GROWTH_LINEAR_EXPONENT,
        )
        for name in ("wall_seconds", "requests")
    ] + [
        _target(
            "4",
            f"peak RSS flat in history size (exponent <= {FLAT_MEMORY_EXPONENT})",
            f"exponent {exponents['peak_rss_mb']}",
            exponents["peak_rss_mb"] <= FLAT_MEMORY_EXPONENT,
        )
    ]


def _memory_targets(result: Result) -> list[Result]:
    return [
        _target("4", "peak RSS under 200 MB", f"{result['peak_rss_mb_max']} MB (max of runs)", result["met"])
    ]


def _query_targets(result: Result) -> list[Result]:
    found = []
    for backend in ("sqlite", "postgresql"):
        for name, op in result.get(backend, {}).get("ops", {}).items():
            found.append(_target("5", f"{name} on {backend} < 200 ms", f"{op['median_ms']} ms", op["met"]))
    return found


def _ingest_targets(result: Result) -> list[Result]:
    found = []
    for backend in ("sqlite", "postgresql"):
        for phase in ("insert_new", "upsert_unchanged", "upsert_edited"):
            if phase in result.get(backend, {}):
                figure = result[backend][phase]
                found.append(
                    _target(
                        "6", f"{phase} on {backend} >= 20,000/s", f"{figure['per_second']:,}/s", figure["met"]
                    )
                )
    return found


def _peer_targets(result: Result) -> list[Result]:
    comparison = result["comparison"]
    if "skipped" in comparison:
        return [_target("7", "15x fewer requests than Perceval", comparison["skipped"], False)]
    realistic = result.get("realistic")
    if realistic is None:  # results from before the realistic-share world: the target was this world's
        return [
            _target(
                "7",
                "tracker needs >= 15x fewer requests than Perceval",
                _ratios(comparison),
                comparison["met"],
            )
        ]
    backfill, side = realistic["backfill"], realistic["comparison"]
    return [
        _target(
            "7",
            f"backfill equals the ground truth (members do {_share(realistic)} of the activity)",
            f"{_wrong_count(backfill)} wrong of {backfill['counted_contributions']:,}",
            backfill["exact"],
        ),
        _target(
            "7",
            f">= {side['target_ratio']:g}x fewer requests than Perceval (members do {_share(realistic)} "
            "of the activity; judged on total requests)",
            _ratios(side),
            side["met"],
        ),
        _target(
            "7",
            f"for reference, no target: the same on scenario 1's world (members do {_share(result)} of the "
            "activity, so they touch most of the PRs Perceval fetches)",
            _ratios(comparison),
            None,
        ),
    ]


def _ratios(comparison: Result) -> str:
    """Perceval's requests over the tracker's: total, and rate-limited (304s are free) when known."""
    total = comparison.get("total_request_ratio", comparison.get("request_ratio"))
    text = f"{total}x total requests"
    if "rate_limited_ratio" in comparison:
        text += f", {comparison['rate_limited_ratio']}x rate-limited requests"
    return text


def _share(side_by_side: Result) -> str:
    """The members' share of all activity in a comparison's world (60% before it was a parameter)."""
    return f"{side_by_side.get('world', {}).get('member_share', DEFAULT_MEMBER_SHARE):.0%}"


def _startup_targets(result: Result) -> list[Result]:
    return [
        _target(
            "8",
            f"{figure['command']} within {figure['target']:g}x {figure['baseline']}",
            f"{figure['ratio']:.2f}x",
            figure["met"],
        )
        for figure in result["comparisons"].values()
    ]


def _wrong_count(backfill: Result) -> int:
    return sum(a["missing"] + a["extra"] + a["mismatched"] for a in backfill["accuracy"])


_CHECKS: list[tuple[str, Callable[[Result], list[Result]]]] = [
    ("1_backfill", _backfill_targets),
    ("2_incremental", _incremental_targets),
    ("3_growth", _growth_targets),
    ("4_memory", _memory_targets),
    ("5_query_speed", _query_targets),
    ("6_ingest", _ingest_targets),
    ("7_perceval", _peer_targets),
    ("8_startup", _startup_targets),
]


# --- tables -----------------------------------------------------------------------------------


def render_text(results: Result) -> str:
    scenarios: Result = results.get("scenarios", {})
    parts = [_machine(results)]
    for name, render in _SECTIONS:
        if name in scenarios:
            parts.append(render(scenarios[name]))
    parts.append(
        "### Targets\n\n"
        + table(
            ["scenario", "target", "measured", "met"],
            [
                [t["scenario"], t["target"], t["measured"], t["met"]]
                for t in results.get("targets", targets(results))
            ],
        )
    )
    return "\n\n".join(parts) + "\n"


def _machine(results: Result) -> str:
    machine, code, plan = results["machine"], results["code"], results["plan"]
    rows = [
        ["date", machine["date"]],
        [
            "machine",
            f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB RAM, {machine['os']}",
        ],
        [
            "software",
            f"Python {machine['python']}, SQLite {machine['sqlite']}, PostgreSQL {machine['postgresql']}",
        ],
        [
            "code",
            f"commit {code['commit']}"
            + (" + uncommitted tracker changes" if code["tracker_uncommitted_changes"] else "")
            + (f", tracker from {code['tracker_src']}" if code["tracker_src"] else ""),
        ],
        ["plan", f"{plan['name']}; sync database: {results.get('sync_backend', 'sqlite')}"],
        [
            "load average",
            f"{machine['load_average_at_start']} at start, {machine.get('load_average_at_end', '?')} at end",
        ],
        ["total time", f"{results.get('total_minutes', '?')} minutes"],
    ]
    return "### Machine and code\n\n" + table(["", ""], rows)


def _backfill(result: Result) -> str:
    world = result["world"]
    floor = result["github_floor"]
    rows = [
        [
            "world",
            f"{world['people']} people, {world['repos']} repos, {world['contributions']:,} contributions "
            f"over {world['days']} days (seed {world['seed']}), members do {_share(result)} of the activity",
        ],
        [
            "counted contributions (ground truth)",
            f"{result['counted_contributions']:,} for {result['people']} people",
        ],
        [
            "wall time (median)",
            f"{result['wall_seconds']} s (runs: {', '.join(str(w) for w in result['wall_seconds_runs'])})",
        ],
        ["CPU: tracker / emulator", f"{result['cpu_seconds']} s / {result['emulator_cpu_seconds']} s"],
        ["contributions per second", result["contributions_per_second"]],
        ["requests", result["requests"]],
        *_answered_304(result),
        ["rate-limited requests", result["charged"]],
        *_graphql_rows(result),
        ["minimum (pages of 100 holding the data)", result["minimum_pages"]["total"]],
        ["ratio requests / minimum", f"{result['ratio_to_minimum']}x"],
        ["search requests", result["search_requests"]],
        ["GitHub's floor: search at 30/min", f"{floor['search_minutes']} min"],
        ["GitHub's floor: core at 5,000/h", f"{floor['core_minutes']} min"],
        *_graphql_floor(floor),
        ["peak RSS (median / max)", f"{result['peak_rss_mb']} / {result['peak_rss_mb_max']} MB"],
        ["accuracy", "exact" if result["exact"] else _wrong(result["accuracy"])],
    ]
    endpoints = table(["endpoint", "requests"], sorted(result["requests_by_endpoint"].items(), key=_by_count))
    minimum = table(["minimum part", "pages"], list(result["minimum_pages"].items()))
    return "### 1. Backfill\n\n" + table(["", ""], rows) + "\n\n" + endpoints + "\n\n" + minimum


def _graphql_rows(result: Result) -> list[list[object]]:
    """GraphQL's queries and points, and the cost units (rate-limited REST requests + points), for
    results recorded since the tracker reads reviews through GraphQL."""
    if "graphql_points" not in result:
        return []
    return [
        ["GraphQL queries / points", f"{result['graphql_queries']:,} / {result['graphql_points']:,}"],
        ["cost units (rate-limited requests + GraphQL points)", result["cost_units"]],
    ]


def _graphql_floor(floor: Result) -> list[list[object]]:
    if "graphql_minutes" not in floor:
        return []
    return [["GitHub's floor: GraphQL at 5,000 points/h", f"{floor['graphql_minutes']} min"]]


def _answered_304(result: Result) -> list[list[object]]:
    """The 304 row, for results recorded since the backfill's conditional requests made some free."""
    if "not_modified" not in result:
        return []
    return [["of them answered 304 (free on GitHub)", result["not_modified"]]]


def _incremental(result: Result) -> str:
    def row(name: str, part: Result) -> list[object]:
        return [
            name,
            part["requests"],
            part["not_modified"],
            part["charged"],
            part.get("graphql_points", 0),
            part["new"],
            part["wall_seconds"],
        ]

    one = result["one_percent"]
    body = table(
        ["re-sync", "requests", "answered 304", "rate-limited", "GraphQL points", "new rows", "wall s"],
        [
            row("nothing new", result["no_change"]),
            row(f"1% new ({result['new_activity']:,} contributions)", one),
        ],
    )
    note = (
        f"Tracked: {result['tracked_people']} people + {result['tracked_repos']} counted repos; "
        f"target for nothing new: at most {result['target_max_charged']} rate-limited requests. "
        f"Medians of {result['no_change']['runs']} runs. 1% re-sync accuracy: "
        + ("exact" if one["exact"] else _wrong(one["accuracy"]))
        + ".\n\n1% re-sync requests by endpoint (first run): "
        + ", ".join(f"{name} {count}" for name, count in one["per_run"][0]["by_endpoint"].items())
    )
    return "### 2. Incremental\n\n" + body + "\n\n" + note


def _growth(result: Result) -> str:
    rows = [
        [
            f"{p['factor']:.0%}",
            p["contributions"],
            p["counted"],
            p["wall_seconds"],
            p["cpu_seconds"],
            p["requests"],
            p["search_requests"],
            p["peak_rss_mb"],
            p["exact"],
        ]
        for p in result["points"]
    ]
    text = table(
        ["size", "contributions", "counted", "wall s", "CPU s", "requests", "search", "peak RSS MB", "exact"],
        rows,
    )
    if "exponents" in result:
        exponents = result["exponents"]
        text += "\n\nGrowth exponents (1.0 = linear in counted contributions): " + ", ".join(
            f"{name} {value}" for name, value in exponents.items()
        )
    return "### 3. Growth\n\n" + text


def _memory(result: Result) -> str:
    return "### 4. Memory\n\n" + table(
        ["peak RSS median", "peak RSS max", "target", "met"],
        [[f"{result['peak_rss_mb']} MB", f"{result['peak_rss_mb_max']} MB", "< 200 MB", result["met"]]],
    )


def _query(result: Result) -> str:
    plan = result["plan"]
    rows = []
    for backend in ("sqlite", "postgresql"):
        for name, op in result.get(backend, {}).get("ops", {}).items():
            sql = (
                f"{len(op['sql'])} quer{'y' if len(op['sql']) == 1 else 'ies'}: "
                f"{sum(s['sql_ms'] for s in op['sql']):.0f} ms, {sum(s['rows'] for s in op['sql']):,} rows"
            )
            rows.append(
                [
                    name,
                    backend,
                    op["median_ms"],
                    op["min_ms"],
                    op["max_ms"],
                    op.get("process_ms", "?"),
                    sql,
                    op["met"],
                ]
            )
    loads = ", ".join(
        _load_text(backend, result[backend]["load"])
        for backend in ("sqlite", "postgresql")
        if backend in result
    )
    header = (
        f"{plan['rows']:,} stored contributions, {plan['people']:,} people, {plan['repos']} repos, "
        f"over {plan['days']} days; "
        f"median of {plan['runs']} runs after one warm-up. Loaded with upsert_contributions: {loads}. "
        "Each command runs in-process through `tracker.cli.run` (engine, migration check, query, "
        "output); 'as a process' is the same command as its own process, where "
        f"`import tracker.cli` alone takes {result.get('cli_import_ms', '?')} ms.\n\n"
    )
    return (
        "### 5. Query speed\n\n"
        + header
        + table(
            [
                "operation",
                "database",
                "median ms",
                "min",
                "max",
                "as a process",
                "SQL alone",
                "< 200 ms",
            ],
            rows,
        )
        + "\n\nQuery plans:\n\n"
        + query_plans(result)
    )


def _load_text(backend: str, load: Result) -> str:
    return f"{backend}: {load['rows']:,} rows in {load['seconds']} s ({load['per_second']:,}/s)"


def query_plans(result: Result) -> str:
    """The distinct query plans behind each operation (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE), compacted."""
    lines: list[str] = []
    for backend in ("sqlite", "postgresql"):
        for name, op in result.get(backend, {}).get("ops", {}).items():
            plans: list[str] = []
            for statement in op["sql"]:
                plan = " / ".join(_compact(line) for line in statement["plan"] if _compact(line))
                if plan not in plans:
                    plans.append(plan)
            lines.extend(f"- {backend}, {name}: {plan}" for plan in plans)
    return "\n".join(lines)


def _compact(line: str) -> str:
    """A plan line without costs, timings and literals; empty for lines that say nothing new."""
    text = line.strip().removeprefix("->").strip()
    for marker in ("  (cost", " (cost", "  (actual"):
        text = text.split(marker, 1)[0]
    text = _LITERAL.sub("?", text).replace("::timestamp with time zone", "").replace("::text", "")
    if text.startswith(_UNINFORMATIVE):
        return ""
    return text


_LITERAL = re.compile(r"'[^']*'(::text\[\])?")
_UNINFORMATIVE = (
    "Planning",
    "Execution",
    "Sort Method",
    "Heap Blocks",
    "Rows Removed",
    "Buffers",
    "Recheck Cond",
    "Worker",
)


def _ingest(result: Result) -> str:
    backends = [backend for backend in ("sqlite", "postgresql") if backend in result]
    phases = list(result[backends[0]]) if backends else []
    rows = [[phase, *(result[backend][phase]["per_second"] for backend in backends)] for phase in phases]
    plan = result["plan"]
    note = (
        f"Rows per second, median of {plan['runs']} runs on a fresh database each. The first three lines "
        f"pass {plan['rows']:,} contributions to one `upsert_contributions` call (the store batches them) "
        f"and commit: new rows, the same rows again, then every title edited. Then {plan['rows']:,} more "
        f"new rows in calls of 1,000, each committed, and {plan['small_rows']:,} in calls of 10, "
        "each committed (the shape of a sync's units of work)."
    )
    return "### 6. Ingest\n\n" + note + "\n\n" + table(["upsert", *backends], rows)


def _peer(result: Result) -> str:
    comparison, perceval = result["comparison"], result["perceval"]
    if "skipped" in comparison:
        return "### 7. Perceval\n\n" + str(comparison["skipped"])
    parts = ["### 7. Side by side with Perceval"]
    realistic = result.get("realistic")
    if realistic is not None:
        parts.append(
            f"On scenario 1's world, where org members do {_share(result)} of all the activity in the repos "
            "(no target here, for reference):"
        )
    parts += [_side_by_side(comparison), _reviews_note(comparison, perceval) + _perceval_note(perceval)]
    if realistic is not None and "skipped" not in realistic["comparison"]:
        parts += _realistic(realistic, standard_share=_share(result))
    return "\n\n".join(parts)


def _side_by_side(comparison: Result) -> str:
    total = comparison.get("total_request_ratio", comparison.get("request_ratio"))
    rows: list[list[object]] = [
        ["requests (total)", comparison["tracker_requests"], comparison["perceval_requests"], f"{total}x"]
    ]
    if "rate_limited_ratio" in comparison:
        rows.append(
            [
                "rate-limited requests (304s are free)",
                comparison["tracker_rate_limited"],
                comparison["perceval_rate_limited"],
                f"{comparison['rate_limited_ratio']}x",
            ]
        )
    rows.append(
        [
            "wall s",
            comparison["tracker_wall_seconds"],
            comparison["perceval_wall_seconds"],
            f"{comparison['wall_ratio']}x",
        ]
    )
    return table(["", "tracker", "Perceval", "Perceval / tracker"], rows)


def _reviews_note(comparison: Result, perceval: Result) -> str:
    """Why the ratio is what it is: the tracker's one request per PR a member reviewed."""
    reviews = comparison.get("tracker_review_requests")
    if reviews is None:
        return ""
    text = (
        f"The tracker answered {comparison['tracker_not_modified']:,} of its requests from 304s and asked "
        f"for the reviews of {reviews:,} PRs, one request each: the REST API has no repo-wide list of reviews"
    )
    if perceval["repos"] == perceval["counted_repos"] and perceval["pull_requests"]:
        text += f" ({reviews / perceval['pull_requests']:.0%} of the PRs Perceval fetched)"
    return text + ". "


def _perceval_note(perceval: Result) -> str:
    return (
        f"Perceval fetched {perceval['repos']} of {perceval['counted_repos']} counted repos "
        "(issue and pull_request categories); "
        f"{perceval['pull_requests']:,} pull requests and {perceval['user_lookups']:,} user look-ups, "
        f"so its floor of 3 per PR + 2 per user is {perceval['floor_3_per_pr_2_per_user']:,} requests. "
        f"Failures: {len(perceval['failures'])}. Perceval's wall time includes {perceval['invocations']} "
        f"process start-ups of about {perceval['startup_seconds']} s each "
        f"({perceval['wall_seconds_without_startup']} s without them).\n\nPerceval's requests by endpoint: "
        + _endpoints(perceval["requests_by_endpoint"])
    )


def _endpoints(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in sorted(counts.items(), key=_by_count))


def _realistic(realistic: Result, *, standard_share: str) -> list[str]:
    backfill, comparison = realistic["backfill"], realistic["comparison"]
    world = backfill["world"]
    share = world["member_share"]
    intro = (
        f"The same {world['people']} people, {world['repos']} repos and {world['contributions']:,} "
        f"contributions over {world['days']} days (seed {world['seed']}), but org members do {share:.0%} "
        f"of the activity (about {round(world['contributions'] * share):,} contributions) and outsiders "
        f"the other {1 - share:.0%} (in large open-source AI repos most organizations' members do well "
        f"under 10% of the activity; scenario 1's world has them at {standard_share}). One backfill: "
        f"{backfill['counted_contributions']:,} counted contributions (ground truth) for "
        f"{backfill['people']} people in {backfill['wall_seconds']} s; "
        "accuracy: " + ("exact" if backfill["exact"] else _wrong(backfill["accuracy"])) + "."
    )
    return [
        f"#### On a world where members do {share:.0%} of the activity",
        intro,
        _side_by_side(comparison),
        _reviews_note(comparison, realistic["perceval"])
        + "The tracker's requests by endpoint: "
        + _endpoints(backfill["requests_by_endpoint"])
        + ".",
        _perceval_note(realistic["perceval"]),
    ]


def _startup(result: Result) -> str:
    rows = [
        [f"`{f['command']}`", f"`{f['baseline']}`", f["command_ms"], f["baseline_ms"], f"{f['ratio']:.2f}x"]
        for f in result["comparisons"].values()
    ]
    note = (
        f"Each command and its baseline ran as processes in {result['pairs']} pairs, back to back, the "
        "order alternating; milliseconds are medians, the ratio is the median of the pairs' ratios. "
        f"`query` reads a SQLite store of {result['rows']:,} contributions at the current schema."
    )
    return (
        "### 8. Start-up\n\n"
        + note
        + "\n\n"
        + table(["command", "baseline", "ms", "baseline ms", "ratio"], rows)
    )


_SECTIONS: list[tuple[str, Callable[[Result], str]]] = [
    ("1_backfill", _backfill),
    ("2_incremental", _incremental),
    ("3_growth", _growth),
    ("4_memory", _memory),
    ("5_query_speed", _query),
    ("6_ingest", _ingest),
    ("7_perceval", _peer),
    ("8_startup", _startup),
]


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    path = Path(arguments[0]) if arguments else Path(__file__).parent / "results" / "latest.json"
    print(render_text(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
