"""What the benchmark ran on and which code it measured."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.source import exported_commit

ROOT = Path(__file__).resolve().parents[1]


def _first_line_with(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _memory_gb() -> float | None:
    total = _first_line_with("/proc/meminfo", "MemTotal")
    return round(int(total.split()[0]) / 1024 / 1024, 1) if total else None


def _git(*arguments: str) -> str:
    try:
        result = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return result.stdout.strip()


def code_version(tracker_src: Path | None) -> dict[str, Any]:
    """The commit measured: an exported one (--commit), else HEAD plus any uncommitted changes."""
    exported = exported_commit(tracker_src)
    dirty = _git("status", "--porcelain", "--", "tracker")
    return {
        "commit": exported or _git("rev-parse", "--short", "HEAD"),
        "tracker_uncommitted_changes": bool(dirty) and exported is None and tracker_src is None,
        "tracker_src": None if exported else (str(tracker_src) if tracker_src else None),
    }


def describe_machine(postgres_version: str | None) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _first_line_with("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version,
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
