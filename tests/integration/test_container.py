"""The container recipe, read as text (no Docker engine runs here): the invariants operators rely on."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

from tracker.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, flags=re.MULTILINE)


def test_the_entrypoint_is_exec_form_so_sigterm_reaches_python() -> None:
    assert instructions("ENTRYPOINT") == ['["tracker"]']
    assert instructions("CMD") == ['["schedule"]']


def test_the_image_runs_as_a_non_root_user_with_a_data_volume() -> None:
    users = instructions("USER")
    assert users and users[-1] not in ("root", "0")
    assert instructions("VOLUME") == ['["/data"]']


def test_no_secret_is_baked_into_any_layer() -> None:
    for secret in (
        "GITHUB_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_WEBHOOK_URL",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
    ):
        assert not re.search(rf"^(ENV|ARG)\b.*{secret}", DOCKERFILE, flags=re.MULTILINE)


def test_the_install_steps_are_the_readmes_install() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -r requirements.lock && pip install --no-deps . && tracker sync" in readme
    (install,) = [line for line in _run_commands() if "pip install" in line]
    assert install == (
        "pip install --no-cache-dir --prefix=/install -r requirements.lock"
        " && pip install --no-cache-dir --prefix=/install --no-deps ."
    )


def _run_commands() -> list[str]:
    """RUN instructions with their continuation lines joined."""
    joined = re.sub(r"\\\n\s*", "", DOCKERFILE)
    return re.findall(r"^RUN\s+(.+)$", joined, flags=re.MULTILINE)


def test_every_base_image_is_pinned_by_digest() -> None:
    images = [line.split()[0] for line in instructions("FROM")]
    assert images
    for image in images:
        assert re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", image)


def test_the_lock_file_pins_every_dependency_with_hashes() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {
        _normalized(match)
        for match in re.findall(
            r"^([A-Za-z0-9_.-]+)==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", lock, re.MULTILINE
        )
    }
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    direct = {
        _normalized(re.split(r"[<>=!\[ ;]", spec, maxsplit=1)[0])
        for spec in pyproject["project"]["dependencies"]
    }
    assert direct <= pinned
    requirement_lines = [line for line in lock.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert len(requirement_lines) == len(pinned)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_image_never_overrides_the_config_files_database_url() -> None:
    assert not re.search(r"^\s*TRACKER_DATABASE_URL=", DOCKERFILE, flags=re.MULTILINE)
    assert "TRACKER_DEFAULT_DATABASE_URL=sqlite:////data/tracker.db" in DOCKERFILE


def test_compose_takes_the_database_password_from_the_environment() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "POSTGRES_PASSWORD: ${TRACKER_DB_PASSWORD:?" in compose
    assert "tracker:tracker@" not in compose


def test_the_config_path_comes_from_tracker_config() -> None:
    assert "TRACKER_CONFIG=/config/tracker.toml" in DOCKERFILE


def test_the_image_copies_everything_the_package_needs() -> None:
    copied = " ".join(instructions("COPY"))
    for needed in ("requirements.lock", "pyproject.toml", "README.md", "tracker", "jobs", "config"):
        assert needed in copied


def test_the_scheduler_has_a_health_check_in_exec_form() -> None:
    (check,) = instructions("HEALTHCHECK")
    assert check.endswith('CMD ["tracker", "doctor", "--health"]')


def test_the_example_config_keeps_the_images_database_in_the_data_volume(tmp_path: Path) -> None:
    """The README's way: copy the example, mount it read-only at /config; the database must not go there."""
    config = tmp_path / "tracker.toml"
    shutil.copyfile(ROOT / "config" / "example.toml", config)
    (image_default,) = re.findall(r"TRACKER_DEFAULT_DATABASE_URL=(\S+)", DOCKERFILE)

    in_the_image = load_settings(config, {"TRACKER_DEFAULT_DATABASE_URL": image_default})
    assert in_the_image.database_url == image_default
    assert load_settings(config, {}).database_url == f"sqlite:///{tmp_path.resolve() / 'tracker.db'}"
