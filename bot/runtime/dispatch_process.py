"""Dispatching in a child process, for `cadrebot serve`.

Handlers are CPU-bound Python; on threads they share the GIL with the web server, and a busy
dispatcher made every callback wait its turn for the interpreter — the ack latency grew with the
dispatch load. The durable inbox lets the two run apart: the serving process only verifies,
decrypts, commits and acks; the child claims inbox rows and dispatches them.

Between the two: an Event (a commit happened: look at the inbox now) and, on SQLite, a shared
counter of intake commits waiting for the database lock, which the child checks before each
transaction so the platform waiting for its ack goes first (SQLite's own lock retry sleeps in
growing steps). The child ends with its parent, also after kill -9 (Linux PR_SET_PDEATHSIG, and
a liveness check).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import time
from contextlib import contextmanager
from typing import Iterator

from bot.config import Settings
from bot.runtime.gate import OPEN_GATE

log = logging.getLogger(__name__)

__all__ = ["DispatchProcess", "SharedGate"]


class SharedGate:
    """The WriteGate's priority across processes: the intake counts itself in, dispatch waits."""

    def __init__(self, waiting) -> None:
        self._waiting = waiting  # multiprocessing.Value("i")

    @contextmanager
    def urgent(self) -> Iterator[None]:
        with self._waiting.get_lock():
            self._waiting.value += 1
        try:
            yield
        finally:
            with self._waiting.get_lock():
                self._waiting.value -= 1

    @contextmanager
    def normal(self) -> Iterator[None]:
        deadline = time.monotonic() + 1.0  # never wait for ever on a counter left by a dead writer
        while self._waiting.value > 0 and time.monotonic() < deadline:
            time.sleep(0.0005)
        yield


class DispatchProcess:
    def __init__(self, settings: Settings, *, sqlite: bool) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process with threads
        self.wake = context.Event()
        self._stop = context.Event()
        self._waiting = context.Value("i", 0)
        self.gate = SharedGate(self._waiting) if sqlite else OPEN_GATE
        # load_settings() builds a local subclass (its TOML file); the child gets plain Settings
        plain = Settings.model_construct(**{name: getattr(settings, name) for name in Settings.model_fields})
        self._process = context.Process(
            target=_child, args=(plain, self.wake, self._stop, self._waiting, sqlite),
            name="cadrebot-dispatch", daemon=True,
        )

    def start(self) -> None:
        self._process.start()
        log.info("dispatching in process %s", self._process.pid)

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self.wake.set()
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()


def _child(settings: Settings, wake, stop, waiting, sqlite: bool) -> None:
    _die_with_parent()
    # Dispatch is background work: the process answering the platforms gets the CPU first. Not 19:
    # on SQLite a child descheduled while it holds the write lock would make the intake wait.
    os.nice(10)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.app import build_app
    from bot.platforms import build_senders
    from bot.runtime.heap import freeze_startup_objects
    from bot.runtime.inbox import Inbox
    from handlers.segmenter import warm_up

    app = build_app(settings, migrate_db=False)
    build_senders(app)  # registers the platforms' media fetchers on the app
    warm_up()
    freeze_startup_objects()  # full collections no longer walk jieba's dictionary and the mappings
    inbox = Inbox(app, gate=SharedGate(waiting) if sqlite else OPEN_GATE, wake=wake)
    inbox.start_dispatchers()
    parent = multiprocessing.parent_process()
    while not stop.wait(0.5):
        if parent is not None and not parent.is_alive():
            break
    inbox.stop()
    app.close()


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
