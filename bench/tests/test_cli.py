"""How `python -m bench` turns its flags into a plan (bench/cli.py)."""

from __future__ import annotations

from bench.cli import FULL, QUICK, build_parser, plan_from


def test_no_flags_is_the_full_plan_and_quick_the_small_one() -> None:
    assert plan_from(build_parser().parse_args([])) == FULL
    assert plan_from(build_parser().parse_args(["--quick"])) == QUICK


def test_query_flags_resize_only_scenario_5s_store() -> None:
    args = build_parser().parse_args(
        ["--query-rows", "5000", "--query-people", "20", "--query-repos", "7", "--query-days", "30"]
    )

    plan = plan_from(args)

    assert (plan.query.rows, plan.query.people, plan.query.repos, plan.query.days) == (5000, 20, 7, 30)
    assert plan.query.runs == FULL.query.runs
    assert plan.world == FULL.world


def test_runs_contributions_and_perceval_sample_flags() -> None:
    plan = plan_from(
        build_parser().parse_args(["--runs", "2", "--contributions", "1234", "--perceval-max-repos", "3"])
    )

    assert (plan.runs, plan.incremental_runs) == (2, 2)
    assert plan.world.contributions == 1234
    assert plan.perceval_max_repos == 3


def test_startup_pairs_flag_sets_only_scenario_8s_pairs() -> None:
    plan = plan_from(build_parser().parse_args(["--quick", "--startup-pairs", "5"]))

    assert plan.startup.pairs == 5
    assert plan.startup.rows == QUICK.startup.rows
    assert plan.query == QUICK.query
