"""`pip install .` (not only an editable install) must ship the catalog and the migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_ships_every_module_the_catalog_the_migrations_and_the_jobs(tmp_path: Path) -> None:
    # Built from a clean copy: setuptools reuses a source tree's build/ folder, whose stale files
    # would hide a package missing from the list.
    source = tmp_path / "source"
    _copy_source(source)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tracker-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    assert "tracker/catalog/catalog.toml" in names
    assert "tracker/store/migrations/env.py" in names
    assert {name for name in names if name.startswith("tracker/store/migrations/versions/0001")}
    assert "jobs/scheduler.py" in names
    assert "tracker/py.typed" in names
    sources = {
        path.relative_to(ROOT).as_posix()
        for folder in ("tracker", "jobs")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert sources - names == set(), "packages missing from [tool.setuptools] packages"
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "tracker = tracker.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def _copy_source(target: Path) -> None:
    ignored = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("tracker", "jobs", "config"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignored)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
