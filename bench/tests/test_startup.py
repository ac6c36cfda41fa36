"""Scenario 8's paired start-up measurement (bench/startup.py) and how bench/report.py states it."""

from __future__ import annotations

import sys

from bench.report import render_text, targets
from bench.startup import Comparison, paired

PASS = [sys.executable, "-c", "pass"]


def test_a_pair_of_the_same_command_is_within_any_target_above_its_noise() -> None:
    figure = paired(Comparison("same", PASS, PASS, 3.0), pairs=3)

    assert figure["command"] == figure["baseline"] == "python -c pass"
    assert figure["command_ms"] > 0
    assert 1 / 3 < figure["ratio"] < 3
    assert figure["met"] is True


def test_the_report_states_each_ratio_against_its_target() -> None:
    figure = {
        "command": "tracker --version",
        "baseline": "python -c pass",
        "command_ms": 120.0,
        "baseline_ms": 25.0,
        "ratio": 4.8,
        "target": 6.0,
        "met": True,
    }
    results = {"scenarios": {"8_startup": {"pairs": 31, "rows": 200, "comparisons": {"version": figure}}}}

    (target,) = targets(results)
    text = render_text({**results, "machine": MACHINE, "code": CODE, "plan": {"name": "full"}})

    assert target == {
        "scenario": "8",
        "target": "tracker --version within 6x python -c pass",
        "measured": "4.80x",
        "met": True,
    }
    (row,) = [line for line in text.splitlines() if line.startswith("| `tracker --version`")]
    assert [cell.strip() for cell in row.strip("|").split("|")] == [
        "`tracker --version`",
        "`python -c pass`",
        "120.0",
        "25.0",
        "4.80x",
    ]


MACHINE = {
    "date": "2026-12-01 10:00 UTC",
    "cpu": "cpu",
    "cores": 2,
    "memory_gb": 4.0,
    "os": "Linux",
    "python": "3.11",
    "sqlite": "3.40",
    "postgresql": None,
    "load_average_at_start": 0.5,
}
CODE = {"commit": "abc1234", "tracker_uncommitted_changes": False, "tracker_src": None}
