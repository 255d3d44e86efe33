"""Benchmark: how long the scheduled jobs stop when the scheduler leader is killed (kill -9).

Starts two workers (tests/leader_worker.py: the real `Server` and leader election, with one job
that runs every 0.2 s) on a throwaway PostgreSQL database, kills the leader, and prints the time
from the kill to the first job run on the other worker, for a few rounds.

    python bench/leader_takeover.py [--takeover 10] [--rounds 3] [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin import throwaway_postgres  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402


def runs(path: Path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    return [(int(p), float(t)) for p, t in (line.split() for line in path.read_text().splitlines() if line)]


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def start(url: str, ticks: Path, takeover: float, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.leader_worker", url, str(ticks), str(takeover)],
        cwd=ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takeover", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, throwaway_postgres(args.pg) as (_conninfo, url):
        build_app(Settings(database_url=url)).close()  # migrate once
        folder, ticks = Path(scratch), Path(scratch) / "ticks"
        log = folder / "workers.log"
        leader = start(url, ticks, args.takeover, log)
        wait_for(lambda: runs(ticks), 60)
        results = []
        for _ in range(args.rounds):
            follower = start(url, ticks, args.takeover, log)
            wait_for(lambda: log.read_text().count("serving on") >= 2 + len(results), 60)
            time.sleep(1)
            os.kill(leader.pid, signal.SIGKILL)
            killed = time.time()
            leader.wait()
            if not wait_for(lambda: any(p == follower.pid for p, _ in runs(ticks)), 10 * args.takeover + 30):
                print("no takeover!")
                break
            first = min(t for p, t in runs(ticks) if p == follower.pid)
            last_old = max(t for p, t in runs(ticks) if p == leader.pid)
            results.append(first - killed)
            print(f"takeover {first - killed:5.2f} s  (old leader's last run {killed - last_old:4.2f} s before the kill;"
                  f" overlap: {'yes' if last_old > first else 'none'})")
            leader = follower
        leader.send_signal(signal.SIGTERM)
        leader.wait(30)
    if results:
        print(f"configured takeover_seconds = {args.takeover}; measured max {max(results):.2f} s over {len(results)} kills")


if __name__ == "__main__":
    main()
