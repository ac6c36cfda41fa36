"""`tracker sync` on a terminal: a progress bar on a TTY, plain log lines otherwise (Rich)."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

log = logging.getLogger("tracker.sync")


class ConsoleProgress:
    """Implements the sync's progress protocol; messages always go to the log (stderr)."""

    def __init__(self, *, enabled: bool | None = None) -> None:
        show = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        if show:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
        self._task: TaskID | None = None

    def __enter__(self) -> ConsoleProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def phase(self, description: str, total: int) -> None:
        if self._progress is None:
            if total:
                log.info("%s: %d to do", description, total, extra={"phase": description, "total": total})
            return
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, amount)

    def say(self, message: str) -> None:
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            log.warning(message)
