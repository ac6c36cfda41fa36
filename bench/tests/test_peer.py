"""Scenario 7's comparison with Perceval (bench/peer.py) and how bench/report.py states it."""

from __future__ import annotations

from typing import Any

from bench.peer import PULL_REVIEWS, compare
from bench.report import render_text, targets

TARGET = 15.0


def tracker(requests: int, not_modified: int, *, share: float = 0.6) -> dict[str, Any]:
    """The parts of a backfill summary (bench.sync_scenarios.backfill_summary) that scenario 7 reads."""
    world = {"people": 200, "repos": 60, "contributions": 100_000, "days": 365, "seed": 1}
    return {
        "world": {**world, "member_share": share},
        "requests": requests,
        "not_modified": not_modified,
        "charged": requests - not_modified,
        "wall_seconds": 10.0,
        "requests_by_endpoint": {PULL_REVIEWS: requests // 2, "GET /search/issues": requests // 4},
        "counted_contributions": 5_000,
        "people": 198,
        "exact": True,
        "accuracy": [{"missing": 0, "extra": 0, "mismatched": 0}],
    }


def perceval(requests: int) -> dict[str, Any]:
    """The parts of bench.peer.run_perceval's result the comparison and report read."""
    return {
        "repos": 36,
        "counted_repos": 36,
        "requests": requests,
        "charged": requests - 72,  # /rate_limit is free
        "wall_seconds": 200.0,
        "invocations": 72,
        "startup_seconds": 0.5,
        "wall_seconds_without_startup": 164.0,
        "requests_by_endpoint": {"GET /repos/{owner}/{repo}/pulls/{number}": 9_000},
        "pull_requests": 9_000,
        "user_lookups": 13_000,
        "floor_3_per_pr_2_per_user": 53_000,
        "failures": [],
    }


def test_compare_divides_total_and_rate_limited_requests_and_judges_on_total() -> None:
    comparison = compare(tracker(5_000, 1_000), perceval(72_072), TARGET)
    assert comparison["total_request_ratio"] == 14.4
    assert comparison["tracker_rate_limited"] == 4_000
    assert comparison["perceval_rate_limited"] == 72_000
    assert comparison["rate_limited_ratio"] == 18.0
    assert comparison["tracker_review_requests"] == 2_500
    assert comparison["met"] is False  # 18x on rate-limited requests does not meet the target alone
    assert compare(tracker(4_000, 1_000), perceval(72_072), TARGET)["met"] is True


def test_compare_passes_on_a_skipped_perceval() -> None:
    assert compare(tracker(5_000, 1_000), {"skipped": "not installed"}, TARGET) == {
        "skipped": "not installed"
    }


def scenario7(standard: dict[str, Any], realistic: dict[str, Any], perceval_requests: int) -> dict[str, Any]:
    def side(summary: dict[str, Any]) -> dict[str, Any]:
        run = perceval(perceval_requests)
        return {"world": summary["world"], "perceval": run, "comparison": compare(summary, run, TARGET)}

    return {**side(standard), "realistic": {"backfill": realistic, **side(realistic)}}


def results(scenario: dict[str, Any]) -> dict[str, Any]:
    return {
        "machine": {
            "date": "2026-11-28",
            "cpu": "cpu",
            "cores": 2,
            "memory_gb": 1,
            "os": "linux",
            "python": "3.11",
            "sqlite": "3",
            "postgresql": None,
            "load_average_at_start": 1.0,
        },
        "code": {"commit": "abc1234", "tracker_uncommitted_changes": False, "tracker_src": None},
        "plan": {"name": "quick"},
        "scenarios": {"7_perceval": scenario},
    }


def test_targets_judge_the_realistic_world_and_report_the_standard_one() -> None:
    scenario = scenario7(tracker(8_000, 1_000), tracker(2_000, 300, share=0.1), 72_072)
    rows = targets(results(scenario))
    assert [(row["scenario"], row["met"]) for row in rows] == [("7", True), ("7", True), ("7", None)]
    assert rows[0]["target"].startswith("backfill equals the ground truth (members do 10%")
    assert rows[0]["measured"] == "0 wrong of 5,000"
    assert rows[1]["target"].startswith(">= 15x fewer requests than Perceval")
    assert rows[2]["target"].startswith("for reference, no target")
    assert "members do 60% of the activity" in rows[2]["target"]
    assert "members do 10% of the activity" in rows[1]["target"]
    assert rows[1]["measured"] == "36.0x total requests, 42.4x rate-limited requests"
    assert rows[2]["measured"] == "9.0x total requests, 10.3x rate-limited requests"


def test_targets_of_results_from_before_the_realistic_world_keep_their_target() -> None:
    old = {"perceval": perceval(74_368), "comparison": {"request_ratio": 8.9, "met": False}}
    assert targets(results(old)) == [
        {
            "scenario": "7",
            "target": "tracker needs >= 15x fewer requests than Perceval",
            "measured": "8.9x total requests",
            "met": False,
        }
    ]


def test_report_shows_both_worlds_and_both_ratios() -> None:
    text = render_text(results(scenario7(tracker(8_000, 1_000), tracker(2_000, 300, share=0.1), 72_072)))
    assert "#### On a world where members do 10% of the activity" in text
    assert (
        "org members do 10% of the activity (about 10,000 contributions) and outsiders the other 90%" in text
    )
    assert text.count("| requests (total)                      | 8,000   | 72,072   | 9.0x") == 1
    assert text.count("| rate-limited requests (304s are free) | 1,700   | 72,000   | 42.4x") == 1
    assert "accuracy: exact" in text
    assert "| 7        | for reference, no target" in text
