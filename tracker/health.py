"""The scheduler's heartbeat: a file it rewrites every few seconds, read by `tracker doctor --health`
(the container's HEALTHCHECK). Standard library only, so the health check starts in milliseconds."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEARTBEAT_ENV = "TRACKER_HEARTBEAT_FILE"
HEARTBEAT_SECONDS = 30
# Four beats missed: the scheduler's loop is stuck, or the process is gone.
STALE_AFTER = timedelta(seconds=HEARTBEAT_SECONDS * 4)


@dataclass(frozen=True, slots=True)
class Health:
    healthy: bool
    detail: str


def heartbeat_path(environ: Mapping[str, str] = os.environ) -> Path:
    configured = environ.get(HEARTBEAT_ENV, "").strip()
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "tracker-scheduler.heartbeat"


def beat(path: Path, now: datetime) -> None:
    """Write the time atomically: a reader never sees half a timestamp."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(now.astimezone(UTC).isoformat(), encoding="utf-8")
    partial.replace(path)


def health(path: Path, now: datetime) -> Health:
    try:
        last = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        return Health(False, f"no scheduler heartbeat at {path}: is `tracker schedule` running?")
    except (OSError, ValueError) as error:
        return Health(False, f"the scheduler heartbeat at {path} cannot be read: {error}")
    age = now - last
    seconds = max(0, round(age.total_seconds()))
    if age > STALE_AFTER:
        return Health(False, f"the scheduler's last heartbeat was {seconds} s ago: it is stuck or stopped")
    return Health(True, f"the scheduler is alive: last heartbeat {seconds} s ago")
