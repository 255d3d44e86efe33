"""Who writes next to SQLite. SQLite has one writer at a time, and a connection that finds the
lock taken sleeps in growing steps (1, 2, 5 … 100 ms) before it tries again, so an intake commit
queued behind a dispatch transaction could wait far longer than the transaction itself. In one
process the gate hands the lock over at once, and the intake (a platform waiting for its ack)
goes first. PostgreSQL locks rows, not the database: there the gate lets everyone through."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["WriteGate", "OPEN_GATE"]


class WriteGate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._urgent = 0

    @contextmanager
    def urgent(self) -> Iterator[None]:
        """The intake: waits only for the writer inside, never for the queue of dispatches."""
        with self._cond:
            self._urgent += 1
            while self._busy:
                self._cond.wait()
            self._urgent -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def normal(self) -> Iterator[None]:
        """A dispatch transaction: lets any waiting intake commit first."""
        with self._cond:
            while self._busy or self._urgent:
                self._cond.wait()
            self._busy = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()


class _OpenGate:
    @contextmanager
    def urgent(self) -> Iterator[None]:
        yield

    normal = urgent


OPEN_GATE = _OpenGate()
