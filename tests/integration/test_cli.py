"""The command line: output formats, filters, and exit codes with one clear line."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.github_world import GitHubWorld
from tests.integration.sync_support import Clock, build_scenario, run_sync, write_config
from tracker.cli import run
from tracker.domain import OrgMember
from tracker.membership import Listing
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.sync.people import take_listing

TOKEN = "ghp_cliTEST1234567890abcdefghijklmnopqrstu"


@pytest.fixture
def synced(tmp_path: Path, database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config whose database holds the hand-counted scenario."""
    settings = write_config(tmp_path, database_url)
    world = build_scenario().world
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        run_sync(settings, engine, Clock())
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    return tmp_path / "tracker.toml"


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert run([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_query_json_has_the_documented_fields_newest_first(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = cli_json(capsys, "--config", str(synced), "query")

    assert len(rows) == 13
    assert set(rows[0]) >= {"kind", "login", "team", "repo", "number", "title", "url", "occurred_at"}
    times = [str(row["occurred_at"]) for row in rows]
    assert times == sorted(times, reverse=True)
    assert all(time.endswith("Z") for time in times)


def test_query_by_alias_resolves_to_the_primary_login(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = cli_json(capsys, "--config", str(synced), "query", "--login", "FAY-ALT")

    assert {row["login"] for row in rows} == {"fay"}
    assert {row["team"] for row in rows} == {"Inference"}
    assert len(rows) == 7


def test_query_filters_by_team_repo_and_kinds(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = cli_json(
        capsys,
        "--config",
        str(synced),
        "query",
        "--team",
        "inference",
        "--repo",
        "HuggingFace/Transformers",
        "--kind",
        "review",
        "--kind",
        "comment",
    )

    assert sorted((row["kind"], row["number"]) for row in rows) == [("comment", 4), ("review", 4)]


def test_since_is_inclusive_and_until_exclusive(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = cli_json(
        capsys, "--config", str(synced), "query", "--since", "2026-10-05", "--until", "2026-10-07"
    )

    assert sorted(str(row["occurred_at"]) for row in rows) == ["2026-10-05T12:00:00Z", "2026-10-06T12:00:00Z"]


def test_query_csv_has_a_header_and_one_row_per_contribution(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--config", str(synced), "query", "--format", "csv", "--kind", "pr_merged"]) == 0

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(row["login"], row["repo"]) for row in rows] == [
        ("gus", "pytorch/pytorch"),
        ("fay", "huggingface/transformers"),
        ("fay", "huggingface/transformers"),
    ]


def test_query_table_shows_titles(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--config", str(synced), "query", "--kind", "pr_opened"]) == 0

    out = capsys.readouterr().out
    assert "occurred_at" in out and "Faster tokenizer" in out


def test_stats_by_kind_matches_the_query(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = cli_json(capsys, "--config", str(synced), "stats", "--by", "kind", "--all")

    totals = {row["kind"]: row["total"] for row in rows}
    assert totals == {
        "pr_opened": 5,
        "pr_merged": 3,
        "review": 2,
        "comment": 2,
        "issue_opened": 1,
    }
    assert sum(int(str(v)) for v in totals.values()) == len(
        cli_json(capsys, "--config", str(synced), "query")
    )


def test_stats_by_login_counts_per_kind(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = {
        row["login"]: row
        for row in cli_json(capsys, "--config", str(synced), "stats", "--by", "login", "--all")
    }

    assert rows["fay"]["total"] == 7 and rows["fay"]["pr_merged"] == 2 and rows["fay"]["review"] == 2
    assert rows["gus"]["total"] == 4 and rows["jon"]["comment"] == 1 and rows["ivy"]["pr_opened"] == 1


def test_stats_by_team_and_by_month(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    teams = {
        row["team"]: row["total"]
        for row in cli_json(capsys, "--config", str(synced), "stats", "--by", "team", "--all")
    }
    months = {
        row["month"]: row["total"]
        for row in cli_json(capsys, "--config", str(synced), "stats", "--by", "month", "--all")
    }

    assert teams == {"Inference": 7, "(no team)": 5, "Training": 1}
    assert months == {"2026-09": 1, "2026-10": 11, "2026-11": 1}


def test_stats_by_week_starts_on_monday(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = cli_json(
        capsys,
        "--config",
        str(synced),
        "stats",
        "--by",
        "week",
        "--since",
        "2026-10-05",
        "--until",
        "2026-10-12",
    )

    assert [(row["week"], row["total"]) for row in rows] == [("2026-10-05", 7)]


def test_members_lists_people_and_why_others_do_not_count(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = {row["login"]: row for row in cli_json(capsys, "--config", str(synced), "members")}

    assert rows["fay"]["aliases"] == "fay-alt" and rows["fay"]["counts"] is True
    assert rows["ivy"]["source"] == "roster"
    assert rows["ivy"]["membership"] == [{"start": None, "end": "2026-10-29T00:00:00Z"}]
    assert rows["gus"]["source"] == "observed"
    assert rows["gus"]["membership"] == [{"start": None, "end": None}]
    assert (rows["hal"]["counts"], rows["hal"]["reason"]) == (False, "excluded")
    assert (rows["acme-bot"]["counts"], rows["acme-bot"]["reason"]) == (False, "bot")


def test_repos_says_whether_each_counts_and_why(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = {row["full_name"]: row for row in cli_json(capsys, "--config", str(synced), "repos")}

    assert (rows["huggingface/transformers"]["counts"], rows["huggingface/transformers"]["reason"]) == (
        True,
        "include huggingface/*",
    )
    assert rows["topic/ai-lib"]["reason"] == "topic llm"
    assert (rows["forker/ai-lib"]["counts"], rows["forker/ai-lib"]["reason"]) == (False, "fork")
    assert rows["random/website"]["counts"] is False
    assert rows["ghost/missing"]["counts"] is False
    assert rows["pytorch/pytorch"]["license"] == "NOASSERTION"
    assert rows["pytorch/pytorch"]["license_class"] == "unknown"


def test_missing_config_file_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"

    assert run(["--config", str(missing), "query"]) == 2
    assert f"{missing}: file not found" in capsys.readouterr().err


def test_a_roster_entry_with_a_wrong_field_exits_2_naming_file_and_key(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    (tmp_path / "roster.toml").write_text(
        '[[member]]\nlogin = "fay"\n[[member]]\nlogin = "gus"\nteem = "x"\n'
    )

    assert run(["--config", str(tmp_path / "tracker.toml"), "members"]) == 2
    err = capsys.readouterr().err
    assert "roster.toml: member[2].teem: unknown key" in err
    assert "Traceback" not in err


def test_sync_without_a_token_exits_2_saying_which_variable_to_set(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)

    assert run(["--config", str(tmp_path / "tracker.toml"), "sync"]) == 2
    assert "GITHUB_TOKEN is not set" in capsys.readouterr().err


def test_sync_to_an_api_url_in_clear_exits_2_before_any_request(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", "http://ghe.corp.example/api/v3")

    with responses.RequestsMock():  # strict: any request would fail the test
        assert run(["--config", str(tmp_path / "tracker.toml"), "sync"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: GITHUB_API_URL: 'http://ghe.corp.example/api/v3' must use https://")
    assert len(err.strip().splitlines()) == 1


@pytest.fixture
def github_rejecting_tokens() -> Iterator[None]:
    with responses.RequestsMock() as mock:
        mock.get(
            re.compile(r"https://api\.github\.com(:443)?/orgs/acme/members.*"),
            status=401,
            json={
                "message": "Bad credentials",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401",
            },
            headers={"x-github-request-id": "CAFE:1234"},
        )
        yield


def test_a_rejected_token_exits_1_with_one_line_and_no_secret(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    github_rejecting_tokens: None,
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)

    assert run(["--config", str(tmp_path / "tracker.toml"), "sync"]) == 1
    err = capsys.readouterr().err
    assert "GitHub rejected the token (Bad credentials)" in err
    assert "CAFE:1234" in err
    assert TOKEN not in err and "Traceback" not in err


def test_debug_shows_the_traceback(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    github_rejecting_tokens: None,
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)

    assert run(["--debug", "--config", str(tmp_path / "tracker.toml"), "sync"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and TOKEN not in err


def test_unknown_login_filter_exits_2(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--config", str(synced), "query", "--login", "nobody"]) == 2
    assert "no tracked person has the login 'nobody'" in capsys.readouterr().err


def test_bad_date_is_a_usage_error(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--config", str(synced), "query", "--since", "yesterday"]) == 2
    assert "--since" in capsys.readouterr().err


def test_cli_sync_prints_one_summary_line(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    world = GitHubWorld(now=datetime.now(UTC))
    world.add_member("fay")
    world.add_repo("huggingface/transformers")
    world.add_issue("huggingface/transformers", "fay", datetime.now(UTC) - timedelta(hours=2), title="Hello")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        assert run(["--config", str(tmp_path / "tracker.toml"), "sync"]) == 0

    err = capsys.readouterr().err
    assert "sync done: 1 new and 0 updated contributions" in err
    assert "answered 304" in err and "waited for rate limits" in err


def test_a_listing_that_lacks_most_members_is_applied_only_with_the_flag(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    config = str(tmp_path / "tracker.toml")
    world = GitHubWorld(now=datetime.now(UTC))
    for login in ("fay", "gus", "kim", "lou", "max", "ned"):
        world.add_member(login)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        assert run(["--config", config, "sync"]) == 0
        world.members = world.members[:1]
        assert run(["--config", config, "sync"]) == 0
        held_back = capsys.readouterr().err
        before = membership_by_login(capsys, config)
        assert run(["--config", config, "sync", "--accept-membership-change"]) == 0
        capsys.readouterr()
        after = membership_by_login(capsys, config)

    assert "membership not changed" in held_back and "--accept-membership-change" in held_back
    assert before["gus"] == before["fay"] == after["fay"] == [{"start": None, "end": None}]
    assert isinstance(after["gus"], list) and after["gus"][0]["end"] is not None


def membership_by_login(capsys: pytest.CaptureFixture[str], config: str) -> dict[str, object]:
    return {str(row["login"]): row["membership"] for row in cli_json(capsys, "--config", config, "members")}


def test_members_changes_lists_the_joins_and_departures_observed(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    config = str(tmp_path / "tracker.toml")
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    fay, gus, kim = OrgMember("fay", "User", 1), OrgMember("gus", "User", 2), OrgMember("kim", "Bot", 3)
    with Session(engine) as session:
        for members, at in (
            ((fay, gus), "2026-10-01T12:00:00"),
            ((fay, gus, kim), "2026-10-08T12:00:00"),
            ((fay, kim), "2026-11-02T12:00:00"),
        ):
            take_listing(session, Listing(members, datetime.fromisoformat(at).replace(tzinfo=UTC)))
        session.commit()
    engine.dispose()

    everything = cli_json(capsys, "--config", config, "members", "--changes")
    recent = cli_json(capsys, "--config", config, "members", "--changes", "--since", "2026-10-02")
    assert run(["--config", config, "members", "--changes", "--format", "csv"]) == 0
    table = capsys.readouterr().out

    assert everything == [
        {"at": "2026-10-01T12:00:00Z", "change": "joined", "login": "kim", "user_type": "Bot"},
        {"at": "2026-11-02T12:00:00Z", "change": "left", "login": "gus", "user_type": "User"},
    ]
    assert recent == everything[1:]
    assert table.splitlines() == [
        "at,change,login,user_type",
        "2026-10-01T12:00:00Z,joined,kim,Bot",
        "2026-11-02T12:00:00Z,left,gus,User",
    ]


def test_members_since_without_changes_is_a_usage_error(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--config", str(synced), "members", "--since", "2026-10-01"]) == 2
    assert "--since goes with --changes" in capsys.readouterr().err


def test_members_table_shows_intervals_and_sources(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--config", str(synced), "members"]) == 0
    lines = capsys.readouterr().out.splitlines()

    ivy = next(line for line in lines if line.split()[:1] == ["ivy"])
    assert "beginning → 2026-10-29" in ivy and "roster" in ivy
    gus = next(line for line in lines if line.split()[:1] == ["gus"])
    assert "beginning → now" in gus and "observed" in gus
    assert any(line.split()[:1] == ["release[bot]"] for line in lines)  # not read as Rich markup


def test_no_token_reaches_any_log_line_even_with_debug_and_json_logs(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("TRACKER_LOG_FORMAT", "json")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(
            re.compile(r"https://api\.github\.com(:443)?/orgs/acme/members.*"),
            status=403,
            json={"message": f"Token {TOKEN} lacks SSO authorization for acme"},
        )
        assert run(["--debug", "--config", str(tmp_path / "tracker.toml"), "sync"]) == 1

    err = capsys.readouterr().err
    assert "lacks SSO authorization" in err
    assert TOKEN not in err
    assert "[redacted]" in err


def test_a_bad_schedule_exits_2_naming_the_file_and_the_spec(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, database_url)
    config = tmp_path / "tracker.toml"
    config.write_text(config.read_text() + '\n[schedule]\nsync = "hourly"\n')
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)

    assert run(["--config", str(config), "schedule"]) == 2
    err = capsys.readouterr().err
    # Refused when the config loads, before any job is set up: one line naming the file and key.
    assert (
        err
        == f"error: {config}: schedule.sync: 'hourly' is neither a 5-field crontab nor 'every N s|m|h|d'\n"
    )
