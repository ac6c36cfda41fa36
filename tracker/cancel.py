"""Cooperative cancellation: long work checks a token between safe points and stops there."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Cancelled(Exception):
    """Work stopped at a safe point because a stop was requested (SIGTERM, SIGINT, shutdown)."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self) -> None:
        self._event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested (True) or `timeout` seconds pass (False)."""
        return self._event.wait(timeout)

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake up and raise as soon as a stop is requested."""
        if self._event.wait(seconds):
            raise Cancelled("stop requested while waiting")

    def raise_if_requested(self) -> None:
        if self._event.is_set():
            raise Cancelled("stop requested")


@contextmanager
def stop_on_signals(token: CancelToken) -> Iterator[None]:
    """SIGTERM and SIGINT request a stop at the next safe point (a second SIGINT interrupts at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGINT and token.requested:
            raise KeyboardInterrupt
        token.request()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
