"""Which tracker code a run measures: the working tree, another checkout, or an exported commit.

Imports nothing from `tracker`: it runs before the import path is settled.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMIT_FILE = ".bench-commit"


def option_value(argv: list[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in argv (the last one wins)."""
    value = None
    for index, argument in enumerate(argv):
        if argument == name and index + 1 < len(argv):
            value = argv[index + 1]
        elif argument.startswith(name + "="):
            value = argument.split("=", 1)[1]
    return value


def export_commit(ref: str) -> Path:
    """`git archive REF tracker` into a fresh directory; the commit id is kept beside it."""
    sha = _git("rev-parse", "--short", ref).strip()
    target = Path(tempfile.mkdtemp(prefix=f"tracker-{sha}-"))
    archive = subprocess.run(
        ["git", "archive", "--format=tar", sha, "tracker"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / COMMIT_FILE).write_text(sha + "\n")
    return target


def exported_commit(source: Path | None) -> str | None:
    if source is None:
        return None
    marker = source / COMMIT_FILE
    return marker.read_text().strip() if marker.exists() else None


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=True).stdout
