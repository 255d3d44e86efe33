"""PostgreSQL restarted under load: the dispatcher's connections recover by themselves (the pool
pings before use), and every message the dispatcher reported handled — what an adapter acks on —
is in the database afterwards; the ones that failed while the server was down go through when
handed over again, each exactly once.

The shared PostgreSQL on 127.0.0.1:5432 must never be restarted (other test runs use it), so this
test starts a throwaway server of its own from the Debian binaries, on another port, as the
`postgres` user when run as root, and stops it at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.app import build_app
from bot.clock import TZ, ManualClock
from bot.config import Settings
from bot.dispatcher import Outcome
from storage.models import OutboxMessage, ProcessedMessage
from tests.factories import build_world, message

CADRES = ("zhangjg", "lixy", "wangw", "chenj")


class OwnPostgres:
    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries:
            pytest.fail("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = Path(binaries[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="cadrebot-pg-"))
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=60)

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-o", options,
                 "-l", str(self.folder / "log"), "-w", "-t", "30", *args)

    def start(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
        self.ctl("start")

    def stop(self) -> None:
        try:
            self.ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_postgres():
    server = OwnPostgres()
    server.start()
    yield server
    server.stop()


def test_postgresql_restarted_under_load_loses_nothing_that_was_acknowledged(own_postgres):
    clock = ManualClock(datetime(2026, 11, 24, 7, 50, tzinfo=TZ))
    app = build_app(Settings(database_url=own_postgres.url), clock=clock)
    build_world(app)
    messages = [message("/打卡", sender=CADRES[n % 4], message_id=f"load-{n}", at=clock.now()) for n in range(400)]
    acked, failed, restarted = [], [], threading.Event()

    def load() -> None:
        for item in messages:
            result = app.dispatcher.handle(item)  # never raises: a failure is FAILED plus a busy reply
            if result.outcome is Outcome.FAILED:  # the server is down: not acked; the platform retries
                failed.append(item)
                time.sleep(0.02)
                continue
            assert result.outcome is Outcome.HANDLED
            acked.append((item.message_id, restarted.is_set()))

    worker = threading.Thread(target=load)
    worker.start()
    assert _wait(lambda: len(acked) >= 20, 60)
    own_postgres.ctl("-m", "fast", "restart")
    restarted.set()
    worker.join(120)
    assert not worker.is_alive()
    assert any(after for _, after in acked), "the dispatcher never recovered after the restart"

    for item in failed:  # handed over again, as a platform retry or the inbox would
        # DUPLICATE: its commit went through just as the connection broke; it is stored, once
        assert app.dispatcher.handle(item).outcome in (Outcome.HANDLED, Outcome.DUPLICATE)
    with app.unit_of_work() as uow:
        stored = set(uow.session.scalars(select(ProcessedMessage.message_id)))
        replies = uow.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.text != texts.BUSY))
    assert {message_id for message_id, _ in acked} <= stored
    assert stored == {item.message_id for item in messages}
    assert replies == len(messages)  # one answer each, none twice (besides "系统繁忙" to the failed ones)
    app.close()


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
