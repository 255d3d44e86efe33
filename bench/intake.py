"""Intake benchmark: encrypted WeCom AI-bot callbacks over HTTP on loopback against a real
`cadrebot serve` subprocess, on SQLite and on PostgreSQL, at fixed request rates (open loop,
pre-encrypted, bounded; sent by a lean keep-alive client, bench/lean_http.py, so the generator
takes little of the CPU it measures). Each callback is a different cadre's `/打卡` in their
village's group (villages of 15, as in a province's morning peak). After each run the server is
killed with -9 at once, and the callbacks it answered 200 are looked up in the inbox:
stored-when-acked must be 100 %. Replies stay queued (delivery is bench/outbox_drain.py's).

    .venv/bin/python bench/intake.py [--rates 100,300,500,1000] [--seconds 10] [--db sqlite,postgresql]
    .venv/bin/python bench/intake.py --db postgresql --workers 2 --rates 500 --seconds 60

With `--workers N` (PostgreSQL) it runs `cadrebot serve --workers N` and also measures the backlog:
how long after the burst's last answer every acknowledged message has been handled (target < 5 s).

Prints per run: ack p50/p99/max (ms), errors (non-200 or broken), stored-when-acked, the 1-minute
load average; on PostgreSQL the same run's baseline, a bare INSERT+COMMIT every 20 ms on the same
database during the burst (how long any commit took meanwhile, disk stalls included); and where
the CPU went (bench/cpu_use.py: ms per message for the web workers, their dispatch children, the
database's backends and this load generator). Target: p99 < 50 ms at 500/s on a 2-core machine,
0 acked-but-not-stored. PostgreSQL: CADREBOT_TEST_PG (default
postgresql://postgres@127.0.0.1:5432/test) must be reachable; a throwaway database is created and
dropped per run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from storage.models import InboxMessage  # noqa: E402
from bench import cpu_use  # noqa: E402
from bench.checkin import VILLAGE_SIZE, seed  # noqa: E402
from tests.serve_process import ServeProcess, callbacks, paced  # noqa: E402
from bench.lean_http import LeanClient, prepare_post  # noqa: E402

PG_SERVER = os.environ.get("CADREBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NO_API = "http://127.0.0.1:9"
# Replies stay queued: this measures intake and dispatch, not delivery (bench/outbox_drain.py does):
# the outbox worker makes its one pass at start and sleeps through the run.
HOLD_REPLIES = "[outbox]\npoll_seconds = 3600\n"


@contextmanager
def database(kind: str, workdir: Path):
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = f"cadrebot_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run(kind: str, rate: int, seconds: float, workers: int = 1) -> dict:
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        app = build_app(Settings(database_url=url, data_dir=Path(tmp) / "data"))
        count = int(rate * seconds)
        seed(app, count)  # the morning peak: every callback is a different cadre's first /打卡 of the day
        items = callbacks(count, f"b{rate}", [(f"u{i}", f"g{i // VILLAGE_SIZE + 1}") for i in range(count)])
        extra = ("--workers", str(workers)) if workers > 1 else ()
        serve = ServeProcess(Path(tmp), url, NO_API, extra, extra_toml=HOLD_REPLIES)
        await asyncio.to_thread(serve.start)
        await asyncio.sleep(3)  # let the dispatch process finish starting (imports, jieba)
        database_name = url.rsplit("/", 1)[-1] if kind == "postgresql" else None
        cpu_before = cpu_use.snapshot(serve.proc.pid, database_name)
        probe = CommitProbe(url) if kind == "postgresql" else None
        try:
            if probe is not None:
                probe.start()
            results = await _burst(serve.url, items, rate)
            if probe is not None:
                probe.stop()
            acked = {item[0] for item, (status, _) in zip(items, results) if status == 200}
            drain = await asyncio.to_thread(_drain_seconds, app, len(acked)) if workers > 1 else None
            cpu = cpu_use.report(cpu_before, cpu_use.snapshot(serve.proc.pid, database_name), len(items))
        finally:
            serve.kill()  # kill -9 straight after the last answer: what is stored now is all there is
        acked = {item[0] for item, (status, _) in zip(items, results) if status == 200}
        with app.unit_of_work() as uow:
            stored = set(uow.session.scalars(select(InboxMessage.message_id)))
        app.close()
    latencies = sorted(seconds for status, seconds in results if status == 200)
    return {
        "db": kind,
        "rate": rate,
        "sent": len(items),
        "p50": _ms(statistics.median(latencies)) if latencies else float("nan"),
        "p99": _ms(latencies[int(len(latencies) * 0.99) - 1]) if latencies else float("nan"),
        "max": _ms(latencies[-1]) if latencies else float("nan"),
        "errors": sum(1 for status, _ in results if status != 200),
        "stored": 100.0 * len(acked & stored) / len(acked) if acked else 0.0,
        "load": os.getloadavg()[0],
        "drain": drain,
        "cpu": cpu,
        "probe": probe.report() if probe is not None else "",
    }


class CommitProbe(threading.Thread):
    """The baseline of the same run: a bare psycopg INSERT + COMMIT into a scratch table of the same
    database every 20 ms while the burst runs, timed. A commit waits for PostgreSQL's WAL fsync;
    when the disk stalls (seen here: one fdatasync of 0.6-1.2 s, every COMMIT on the server waiting
    on IO:WALSync), the probe's max shows it, and the acks, which must wait for their commit, cannot
    be faster than that."""

    def __init__(self, url: str, every: float = 0.02) -> None:
        super().__init__(name="commit-probe", daemon=True)
        self._conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        self._every = every
        self._halt = threading.Event()
        self.seconds: list[float] = []

    def run(self) -> None:
        with psycopg.connect(self._conninfo) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS commit_probe (id serial PRIMARY KEY, at timestamptz)")
            connection.commit()
            while not self._halt.wait(self._every):
                started = time.perf_counter()
                connection.execute("INSERT INTO commit_probe (at) VALUES (now())")
                connection.commit()
                self.seconds.append(time.perf_counter() - started)

    def stop(self) -> None:
        self._halt.set()
        self.join(10)

    def report(self) -> str:
        times = sorted(self.seconds)
        if not times:
            return "raw commit probe: no sample"
        return (f"raw INSERT+COMMIT probe, same database, every 20 ms: p50 {_ms(times[len(times) // 2]):.1f} ms, "
                f"p99 {_ms(times[int(len(times) * 0.99) - 1]):.1f} ms, max {_ms(times[-1]):.1f} ms ({len(times)} commits)")


def _drain_seconds(app, acked: int, limit: float = 60.0) -> float | None:
    """Seconds from the burst's end until the inbox has handled every acknowledged message."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        with app.unit_of_work() as uow:
            handled = uow.session.scalar(select(func.count(InboxMessage.id)).where(InboxMessage.status == "handled"))
        if handled >= acked:
            return time.monotonic() - start
        time.sleep(0.1)
    return None


async def _burst(url: str, items, rate: int):
    # No garbage collection in the load generator while it sends: it holds every prepared callback
    # and every request's task, and its own full collections (100-170 ms) stopped its clock and
    # showed up as ack latency that was not the server's. A burst's garbage is bounded.
    requests = [prepare_post(url, query, body) for _, query, body in items]
    client = LeanClient(urlsplit(url).hostname, urlsplit(url).port)  # bench/lean_http.py: why not aiohttp here
    gc.collect()
    gc.disable()
    try:
        return await paced(requests, rate, client.send)
    finally:
        gc.enable()
        client.close()


def _ms(seconds: float) -> float:
    return seconds * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="100,300,500,1000")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N (PostgreSQL only)")
    args = parser.parse_args()
    print(f"{'db':<11}{'rate/s':>7}{'sent':>7}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>8}"
          f"{'stored-when-acked':>19}{'load1':>7}" + (f"{'backlog s':>11}" if args.workers > 1 else ""))
    for kind in args.db.split(","):
        for rate in (int(r) for r in args.rates.split(",")):
            r = await run(kind, rate, args.seconds, args.workers)
            drain = "" if args.workers == 1 else (f"{r['drain']:>11.1f}" if r["drain"] is not None else f"{'> 60':>11}")
            print(f"{r['db']:<11}{r['rate']:>7}{r['sent']:>7}{r['p50']:>8.1f}{r['p99']:>8.1f}{r['max']:>8.1f}"
                  f"{r['errors']:>8}{r['stored']:>18.1f}%{r['load']:>7.2f}{drain}", flush=True)
            print(f"{'':<11}{r['cpu']}", flush=True)
            if r["probe"]:
                print(f"{'':<11}{r['probe']}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
