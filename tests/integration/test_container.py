"""The container recipe, read as text (no Docker engine runs here): the invariants operators rely on."""

from __future__ import annotations

import re
from pathlib import Path

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
    for secret in ("GITHUB_TOKEN", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        assert not re.search(rf"^(ENV|ARG)\b.*{secret}", DOCKERFILE, flags=re.MULTILINE)


def test_the_install_step_is_the_readmes_install() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && tracker sync" in readme
    (install,) = [line for line in instructions("RUN") if "pip install" in line]
    assert re.fullmatch(r"pip install --no-cache-dir --prefix=/install \.", install)


def test_the_config_path_comes_from_tracker_config() -> None:
    assert "TRACKER_CONFIG=/config/tracker.toml" in DOCKERFILE


def test_the_image_copies_everything_the_package_needs() -> None:
    copied = " ".join(instructions("COPY"))
    for needed in ("pyproject.toml", "README.md", "tracker", "jobs", "config"):
        assert needed in copied
