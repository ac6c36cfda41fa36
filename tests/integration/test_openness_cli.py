"""The openness lens through the CLI: license classes, open-washing, annotations, license history."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy.engine import Engine

from tests.github_world import GitHubWorld
from tests.integration.sync_support import Clock, build_scenario, day, run_sync, write_config
from tracker.cli import run
from tracker.config import Settings


def openness_world() -> GitHubWorld:
    world = build_scenario().world
    world.add_repo(
        "acme-ai/acme-lm",
        topics=["llm", "open-source"],
        license_spdx="NOASSERTION",
        description="An open-source LLM",
    )
    world.add_repo(
        "acme-ai/eval-data", topics=["llm"], license_spdx="CC-BY-4.0", description="Evaluation data"
    )
    world.add_repo("acme-ai/agent", topics=["llm", "opensource"], license_spdx=None, description="Agents")
    world.add_repo("openai/whisper", topics=["llm"], license_spdx="MIT", description="Speech recognition")
    for repo in ("acme-ai/acme-lm", "acme-ai/eval-data", "acme-ai/agent", "openai/whisper"):
        world.add_issue(repo, "fay", day(10, 20), title=f"Work on {repo}")
    return world


@pytest.fixture
def synced(
    tmp_path: Path, database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> tuple[Settings, GitHubWorld, Clock]:
    settings = write_config(tmp_path, database_url)
    world = openness_world()
    clock = Clock()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        run_sync(settings, engine, clock)
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    return settings, world, clock


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert run([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_every_repo_gets_its_license_class_and_open_washing_flag(
    synced: tuple[Settings, GitHubWorld, Clock], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _, _ = synced
    rows = {row["full_name"]: row for row in cli_json(capsys, "--config", str(settings.path), "repos")}

    assert (
        rows["huggingface/transformers"]["license"],
        rows["huggingface/transformers"]["license_class"],
    ) == ("Apache-2.0", "osi")
    assert (rows["acme-ai/acme-lm"]["license"], rows["acme-ai/acme-lm"]["license_class"]) == (
        "NOASSERTION",
        "unknown",
    )
    assert rows["acme-ai/eval-data"]["license_class"] == "not-osi"
    assert (rows["acme-ai/agent"]["license"], rows["acme-ai/agent"]["license_class"]) == (None, "none")
    assert rows["acme-ai/acme-lm"]["open_washing"] is True
    assert rows["acme-ai/agent"]["open_washing"] is True
    assert rows["acme-ai/eval-data"]["open_washing"] is False
    assert rows["huggingface/transformers"]["open_washing"] is False


def test_openness_view_lists_counted_repos_with_candidates_first_and_annotations(
    synced: tuple[Settings, GitHubWorld, Clock], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _, _ = synced
    rows = cli_json(capsys, "--config", str(settings.path), "repos", "--openness")
    names = [row["full_name"] for row in rows]

    assert all(row["counts"] for row in rows)
    assert "forker/ai-lib" not in names and "random/website" not in names
    assert set(names[:2]) == {"acme-ai/acme-lm", "acme-ai/agent"}
    whisper = next(row for row in rows if row["full_name"] == "openai/whisper")
    assert (whisper["weights"], whisper["training_data"]) == ("open", "undisclosed")
    assert str(whisper["openness_source"]).startswith("https://")


def test_stats_by_license_class(
    synced: tuple[Settings, GitHubWorld, Clock], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, _, _ = synced
    rows = {
        row["license_class"]: row["total"]
        for row in cli_json(capsys, "--config", str(settings.path), "stats", "--by", "license_class", "--all")
    }

    # scenario: 13 counted (transformers osi: 8, pytorch NOASSERTION: 4, topic/ai-lib Apache: 2... see below)
    assert rows["not-osi"] == 1
    assert rows["none"] == 1
    assert rows["unknown"] == 4 + 1  # pytorch/pytorch's four, and acme-lm's issue
    assert sum(int(str(total)) for total in rows.values()) == 13 + 4


def test_a_license_change_between_two_syncs_is_recorded(
    synced: tuple[Settings, GitHubWorld, Clock], engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, world, clock = synced
    world.repos["huggingface/transformers"]["license"] = None
    world.repos["huggingface/transformers"]["license"] = {
        "key": "busl-1.1",
        "name": "Business Source License 1.1",
        "spdx_id": "BUSL-1.1",
        "url": None,
        "node_id": "x",
    }
    clock.now += timedelta(days=1, hours=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        world.install(mock)
        run_sync(settings, engine, clock)

    changes = cli_json(capsys, "--config", str(settings.path), "repos", "--changes")
    assert [(c["full_name"], c["old_license"], c["new_license"]) for c in changes] == [
        ("huggingface/transformers", "Apache-2.0", "BUSL-1.1")
    ]
    assert changes[0]["seen_at"] == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = {row["full_name"]: row for row in cli_json(capsys, "--config", str(settings.path), "repos")}
    assert rows["huggingface/transformers"]["license_class"] == "not-osi"
