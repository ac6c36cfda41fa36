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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
STOP_SECONDS = 30


@dataclass(frozen=True)
class Emulator:
    url: str

    def truth(self, since: datetime, topics: Iterable[str]) -> list[dict[str, Any]]:
        """Every contribution a correct tracker counts from `since` on, as the emulator states it."""
        query = urlencode({"since": f"{since:%Y-%m-%dT%H:%M:%SZ}", "topics": ",".join(topics), "rows": "1"})
        with urllib.request.urlopen(f"{self.url}/_emulator/truth?{query}", timeout=120) as answer:  # noqa: S310
            rows: list[dict[str, Any]] = json.loads(answer.read())["contributions"]
        return rows


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
