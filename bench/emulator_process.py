"""The GitHub emulator as a separate process, and a client for its control API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

from bench.emulator.seed import DEFAULT_MEMBER_SHARE
from bench.measure import cpu_seconds_of

UNLIMITED = 1_000_000_000
STARTUP_TIMEOUT_SECONDS = 300


@dataclass(frozen=True, slots=True)
class WorldSize:
    """The emulator's world flags; `contributions` is activity by everyone, members and outsiders.

    `member_share` is the members' share of that activity (the emulator's `--member-share`).
    """

    people: int
    repos: int
    contributions: int
    days: int
    seed: int = 1
    member_share: float = DEFAULT_MEMBER_SHARE

    def scaled(self, factor: float) -> WorldSize:
        return replace(self, contributions=round(self.contributions * factor))

    def flags(self) -> list[str]:
        return [
            f"--people={self.people}",
            f"--repos={self.repos}",
            f"--contributions={self.contributions}",
            f"--days={self.days}",
            f"--seed={self.seed}",
            f"--member-share={self.member_share}",
        ]


def utc_now_seconds() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EmulatorProcess:
    """`python -m bench.emulator` with unlimited budgets, its world's clock set to the wall clock.

    The tracker decides what is new from the wall clock, so the emulator's `now` starts at the
    wall clock and `advance_to_wall_clock` puts new activity between the last sync and now.
    """

    def __init__(self, size: WorldSize, *, now: datetime | None = None) -> None:
        self.size = size
        self.started_now = now or utc_now_seconds()
        command = [
            sys.executable,
            "-m",
            "bench.emulator",
            "--port=0",
            *size.flags(),
            f"--now={iso(self.started_now)}",
            f"--search-limit={UNLIMITED}",
            f"--core-limit={UNLIMITED}",
        ]
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        first_line = self._process.stdout.readline()
        if not first_line:
            self._process.wait(timeout=STARTUP_TIMEOUT_SECONDS)
            raise RuntimeError(f"the emulator exited with {self._process.returncode} before serving")
        self.info: dict[str, Any] = json.loads(first_line)
        self.url: str = self.info["url"]

    @property
    def pid(self) -> int:
        return self._process.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds_of(self.pid)

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self._process.pid, signal.SIGKILL)
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # --- control API ---------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        url = f"{self.url}/_emulator/{path}"
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http, local)
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (local emulator)
            return json.loads(response.read())

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "stats")
        return result

    def reset_stats(self) -> None:
        self._call("POST", "reset-stats")

    def world_now(self) -> datetime:
        return datetime.fromisoformat(str(self._call("GET", "info")["now"]).replace("Z", "+00:00"))

    def advance_to_wall_clock(self, new_contributions: int, seed: int) -> dict[str, Any]:
        """New activity from the world's `now` up to the wall clock (at least two seconds of it)."""
        seconds = max((utc_now_seconds() - self.world_now()).total_seconds(), 2.0)
        body = {"days": seconds / 86_400, "new_contributions": new_contributions, "seed": seed}
        result: dict[str, Any] = self._call("POST", "advance", body)
        return result

    def truth(self, since: datetime, topics: tuple[str, ...], *, rows: bool) -> dict[str, Any]:
        query = urlencode({"since": iso(since), "topics": ",".join(topics), "rows": "1" if rows else "0"})
        result: dict[str, Any] = self._call("GET", f"truth?{query}")
        return result
