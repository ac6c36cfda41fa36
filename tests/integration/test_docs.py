"""The README, read as a newcomer reads it: every command and option is documented, every file it
names is in the repository, and the container examples work as written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from tracker.cli import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """`tracker ...` and its command, for the group and every command under it."""
    yield " ".join(("tracker", *path)), command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, (*path, name))


def undocumented(root: click.Command, readme: str) -> list[str]:
    """The commands missing from the README's command table and the options it never names."""
    missing: list[str] = []
    table_rows = [line for line in readme.splitlines() if line.startswith("| `tracker")]
    for name, command in commands(root):
        if name != "tracker" and not any(row.startswith(f"| `{name}") for row in table_rows):
            missing.append(name)
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            for option in (*param.opts, *param.secondary_opts):
                if option.startswith("--") and option != "--help" and not _names(readme, option):
                    missing.append(f"{name} {option}")
    return missing


def _names(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def test_every_command_and_option_is_in_the_readme() -> None:
    assert undocumented(cli, README) == []


def test_an_undocumented_option_or_command_is_found() -> None:
    @click.group()
    def tool() -> None: ...

    @tool.command()
    @click.option("--since")
    @click.option("--brand-new-option", is_flag=True)
    def sync(since: str, brand_new_option: bool) -> None: ...

    @tool.command()
    def secret() -> None: ...

    readme = "| `tracker sync [--since DATE]` | fetch |\n\n`--brand-new-option-two`"

    assert undocumented(tool, readme) == ["tracker secret", "tracker sync --brand-new-option"]


def test_the_quick_start_creates_a_virtual_environment_before_installing() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    first_block = re.findall(r"```sh\n(.*?)```", quick_start, flags=re.DOTALL)[0]
    commands = first_block.replace(" && ", "\n").splitlines()
    assert commands[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"]
    assert any(command.startswith("pip install -r requirements.lock") for command in commands)


def test_every_repository_path_the_readme_names_exists() -> None:
    named = set(re.findall(r"`\.?((?:\.ci|config|scripts|tracker|tests|jobs|bench)/[\w./-]*[\w])`", README))
    named |= {path for path in re.findall(r"\]\(([^):#]+)\)", README) if not path.startswith("http")}
    assert named
    assert [path for path in sorted(named) if not (ROOT / path).exists()] == []
    assert not re.search(r"(?<![\w.])(/work/|/home/|/Users/|~/)", README)


def yaml_documents() -> list[dict[str, Any]]:
    blocks = re.findall(r"^```yaml\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)
    return [document for block in blocks for document in yaml.safe_load_all(block) if document]


def cron_jobs() -> dict[str, dict[str, Any]]:
    """The README's CronJobs, by the command they run."""
    jobs = [document for document in yaml_documents() if document.get("kind") == "CronJob"]
    return {_container(job)["args"][0]: job for job in jobs}


def _container(job: dict[str, Any]) -> dict[str, Any]:
    (container,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return container  # type: ignore[no-any-return]


def _env_names(container: dict[str, Any]) -> set[str]:
    return {variable["name"] for variable in container.get("env", [])}


def test_the_kubernetes_cronjobs_sync_and_post_the_digest_with_the_slack_variables() -> None:
    jobs = cron_jobs()

    assert set(jobs) == {"sync", "digest"}
    assert "GITHUB_TOKEN" in _env_names(_container(jobs["sync"]))
    assert {"SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"} <= _env_names(_container(jobs["digest"]))


def test_the_cronjobs_name_their_time_zone_and_the_readme_says_why() -> None:
    for job in cron_jobs().values():
        assert job["spec"]["timeZone"]
    assert "cluster's time zone" in README


@pytest.mark.parametrize("name", ["sync", "digest"])
def test_the_config_map_holds_the_roster_beside_the_config(name: str) -> None:
    container = _container(cron_jobs()[name])
    (mount,) = container["volumeMounts"]
    assert mount["mountPath"] == "/config"
    config_map = "kubectl create configmap tracker-config --from-file=tracker.toml --from-file=roster.toml"
    assert config_map in README
    assert re.search(r"docker build -t \S+ \.", README)


def test_docker_run_mounts_the_roster_beside_the_config() -> None:
    runs = re.findall(r"^docker run (?:.*\\\n)*.*$", README, flags=re.MULTILINE)
    assert runs
    for command in runs:
        assert "/config/tracker.toml:ro" in command
        assert "/config/roster.toml:ro" in command


def test_the_test_commands_database_is_one_the_tests_create_and_drop() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    (default,) = re.findall(r'TRACKER_TEST_DATABASE_URL-([^}"]+)\}', script)
    assert default.rsplit("/", 1)[1] == "postgres"  # a server's maintenance database, only connected to
    assert f"`{default}`" in README
    prose = " ".join(README.split())
    assert "create a database of their own (`tracker_test_…`), which they drop when they finish" in prose
