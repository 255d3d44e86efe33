"""Several workers, one scheduler: the leader's jobs run in one process only, and when that process
is killed (kill -9, no goodbye) another worker takes over within the takeover time — real
processes on the test database, bounded waits, every child stopped at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.leader import FileLeadership, leadership_for
from scheduler.wiring import JOB_TABLE

TAKEOVER = 1.5  # seconds; production default is 10
ROOT = Path(__file__).resolve().parent.parent


def ticks(path: Path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    return [(int(pid), float(at)) for pid, at in (line.split() for line in path.read_text().splitlines() if line)]


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def workers(app, database_url, tmp_path):
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.leader_worker", database_url, str(tmp_path / "ticks"), str(TAKEOVER)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    with app.engine.begin() as connection:  # the job store outlives the test: leave no test job behind
        connection.execute(text(f"DELETE FROM {JOB_TABLE} WHERE id = 'test.tick'"))


def test_the_leader_killed_another_worker_runs_the_jobs_within_the_takeover_time(app, workers, tmp_path):
    tick_file = tmp_path / "ticks"
    first = workers()
    assert wait_for(lambda: len(ticks(tick_file)) >= 3, 30), (tmp_path / "worker-0.log").read_text()
    second = workers()
    second_log = tmp_path / "worker-1.log"
    assert wait_for(lambda: "serving on" in second_log.read_text(), 60), second_log.read_text()
    time.sleep(2 * TAKEOVER)  # the second worker is up and polling, yet only the leader runs jobs
    assert {pid for pid, _ in ticks(tick_file)} == {first.pid}

    os.kill(first.pid, signal.SIGKILL)
    killed_at = time.time()
    first.wait(5)
    assert wait_for(lambda: any(pid == second.pid for pid, _ in ticks(tick_file)), 10 * TAKEOVER), (
        (tmp_path / "worker-1.log").read_text()
    )
    runs = ticks(tick_file)
    takeover = min(at for pid, at in runs if pid == second.pid) - killed_at
    assert takeover < TAKEOVER + 1.0, f"took over after {takeover:.2f} s\n" + (tmp_path / "worker-1.log").read_text()
    # never two schedulers at once: every run of the dead leader precedes every run of the new one
    assert max(at for pid, at in runs if pid == first.pid) <= killed_at
    assert wait_for(lambda: sum(pid == second.pid for pid, _ in ticks(tick_file)) >= 3, 10)


def test_a_second_scheduler_on_one_sqlite_file_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    first, second = leadership_for(url, 10), leadership_for(url, 10)
    assert isinstance(first, FileLeadership)
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
