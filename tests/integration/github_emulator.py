"""The benchmark's GitHub emulator as a separate process, started by module path.

`python -m bench.emulator` serves a synthetic organization over GitHub's REST API and answers,
at `/_emulator/truth`, what a correct tracker counts in it. Tracker's tests depend on that
command line and that answer only, never on the emulator's code.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
STOP_SECONDS = 30


Window = tuple[datetime | None, datetime | None]


@dataclass(frozen=True)
class Emulator:
    url: str

    def truth(
        self, since: datetime, topics: Iterable[str], windows: Mapping[str, Window] | None = None
    ) -> list[dict[str, Any]]:
        """Every contribution a correct tracker counts from `since` on, as the emulator states it;
        `windows` counts those logins only within [from, until), members now or not."""
        query = {"since": _iso(since), "topics": ",".join(topics), "rows": "1"}
        if windows:
            query["windows"] = ",".join(
                f"{login}@{_iso(low) if low else ''}..{_iso(high) if high else ''}"
                for login, (low, high) in windows.items()
            )
        rows: list[dict[str, Any]] = self._control("GET", f"truth?{urlencode(query)}")["contributions"]
        return rows

    def accounts(self) -> list[dict[str, Any]]:
        """Every user and bot: login, type, member, contributions."""
        accounts: list[dict[str, Any]] = self._control("GET", "accounts")
        return accounts

    def change_membership(self, *, join: Iterable[str] = (), leave: Iterable[str] = ()) -> None:
        self._control("POST", "members", {"join": list(join), "leave": list(leave)})

    def advance_to_wall_clock(
        self, new_contributions: int = 0, *, seed: int = 0, authors: Iterable[str] = ()
    ) -> datetime:
        """Moves the emulator's clock to the wall clock, with new activity (by `authors` only, when
        given) in between; answers the emulator's new `now`."""
        world_now = _parse(self._control("GET", "info")["now"])
        seconds = max((datetime.now(UTC) - world_now).total_seconds(), 2.0 if new_contributions else 0.0)
        body = {"days": seconds / 86_400, "new_contributions": new_contributions, "seed": seed}
        answer = self._control("POST", "advance", {**body, "authors": list(authors)})
        return _parse(answer["now"])

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method)  # noqa: S310
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 (the local emulator)
            return json.loads(answer.read())


def _iso(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@contextmanager
def running_emulator(*flags: str) -> Iterator[Emulator]:
    """The emulator serving on a free local port until the block ends."""
    command = [sys.executable, "-m", "bench.emulator", "--port=0", *flags]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first_line = process.stdout.readline()  # the emulator's description, once it serves
            if not first_line:
                raise RuntimeError(f"the emulator exited with {process.wait()} before serving")
            yield Emulator(url=json.loads(first_line)["url"])
        finally:
            process.terminate()
            process.wait(timeout=STOP_SECONDS)
