"""Benchmark: /打卡 through the whole router, against raw INSERT+COMMIT on the same engine.

Pushes N check-ins from distinct members through the dispatcher (parse, dedupe, resolve member,
handler, outbox row) and, in the same run, times single-row INSERT+COMMIT into an equivalent
table with the bare driver. Two dispatch modes: `handle` (one transaction per message) and
`handle_batch` (messages ready at the same moment share one transaction and one commit — what
the inbox loop does under a burst). SQLite (file, WAL, synchronous=NORMAL, as the bot's engine)
always; PostgreSQL too when `--pg URL` is given (a throwaway database is created and dropped).

    python bench/checkin.py [--n 2000] [--batch 50] [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app  # noqa: E402
from bot.clock import TZ, ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from storage.db import refresh_statistics  # noqa: E402
from storage.models import GroupChat, Identity, Member, Township, Village  # noqa: E402
from storage.roster_write import ROSTER_TABLES  # noqa: E402

VILLAGE_SIZE = 15  # cadres of one village, as in the townships we serve
RAW_TABLE = (
    "CREATE TABLE checkins_raw (id {pk}, member_id INTEGER, day DATE, checked_at TIMESTAMP,"
    " late BOOLEAN, village_id INTEGER, source VARCHAR(16), UNIQUE (member_id, day))"
)
RAW_INSERT = (
    "INSERT INTO checkins_raw (member_id, day, checked_at, late, village_id, source) VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
)


@dataclass(frozen=True)
class Rate:
    """Per second of wall-clock time, and per second of this process's CPU time. On a machine
    shared with other work the CPU figure is the steadier one; with SQLite (no fsync per commit in
    WAL + NORMAL) both sides are all in-process CPU, so their CPU ratio is a fair comparison.
    PostgreSQL does its work in the server, so only the wall-clock ratio means anything there."""

    wall: float
    cpu: float | None


def seed(app, n: int) -> None:
    """n members `u0 … u<n-1>` in villages of 15, the k-th village (from 1) with its own WeCom group
    `g<k>`: written with a few multi-row INSERTs, so a province-sized roster takes seconds."""
    villages = (n + VILLAGE_SIZE - 1) // VILLAGE_SIZE
    with app.unit_of_work() as uow:
        session = uow.session
        township = Township(name="芝英镇")
        session.add(township)
        session.flush()
        village_ids = _insert_ids(session, Village, [
            {"township_id": township.id, "name": f"第{v}村"} for v in range(villages)
        ])
        session.execute(insert(GroupChat), [
            {"platform": "wecom", "chat_id": f"g{v + 1}", "township_id": township.id, "village_id": village_id}
            for v, village_id in enumerate(village_ids)
        ])
        member_ids = _insert_ids(session, Member, [
            {"township_id": township.id, "village_id": village_ids[i // VILLAGE_SIZE], "name": f"成员{i}",
             "role": "村干部", "active": True}
            for i in range(n)
        ])
        session.execute(insert(Identity), [
            {"member_id": member_id, "platform": "wecom", "user_id": f"u{i}"} for i, member_id in enumerate(member_ids)
        ])
        uow.commit()
    refresh_statistics(app.engine, ROSTER_TABLES)  # as `cadrebot roster import` does


def _insert_ids(session, model, rows: list[dict]) -> list[int]:
    """Insert rows (the ORM's bulk INSERT, Python-side defaults applied); their ids in row order."""
    return list(session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def bench_router(url: str, n: int, batch: int) -> float:
    """Messages per second through the dispatcher; batch 1 means `handle` per message."""
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=TZ))
    app = build_app(Settings(database_url=url), clock=clock)
    seed(app, n)
    messages = [
        InboundMessage("wecom", f"g{i // VILLAGE_SIZE + 1}", f"u{i}", f"成员{i}", "/打卡", f"m{i}", clock.now())
        for i in range(n)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    if batch == 1:
        for message in messages:
            app.dispatcher.handle(message)
    else:
        for start in range(0, n, batch):
            app.dispatcher.handle_batch(messages[start:start + batch])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    app.close()
    return Rate(n / elapsed, n / cpu)


def _raw_rows(n: int):
    return [(i, "2026-11-24", "2026-11-24 00:00:00", False, 1, "chat") for i in range(n)]


def bench_raw_sqlite(path: Path, n: int) -> float:
    """Single-row INSERT+COMMIT with the bot's pragmas (WAL + synchronous=NORMAL)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(RAW_TABLE.format(pk="INTEGER PRIMARY KEY"))
    insert = RAW_INSERT.format(p="?")
    started, cpu = time.perf_counter(), time.process_time()
    for row in _raw_rows(n):
        connection.execute("BEGIN")
        connection.execute(insert, row)
        connection.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    connection.close()
    return Rate(n / elapsed, n / cpu)


def bench_raw_postgres(conninfo: str, n: int) -> float:
    """Single-row INSERT+COMMIT with psycopg (server defaults: synchronous_commit on)."""
    with psycopg.connect(conninfo) as connection:
        connection.execute(RAW_TABLE.format(pk="SERIAL PRIMARY KEY"))
        connection.commit()
        insert = RAW_INSERT.format(p="%s")
        started = time.perf_counter()
        for row in _raw_rows(n):
            connection.execute(insert, row)
            connection.commit()
        elapsed = time.perf_counter() - started
    return Rate(n / elapsed, None)


@contextmanager
def throwaway_postgres(server: str):
    """A fresh database on the given server, dropped afterwards; yields (psycopg conninfo, SQLAlchemy url)."""
    name = f"cadrebot_bench_{uuid.uuid4().hex[:8]}"
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}", f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://")
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(engine: str, raw: Rate, single: Rate, batched: Rate, batch: int) -> None:
    print(f"{engine}: raw INSERT+COMMIT {raw.wall:7.0f} rows/s" + _cpu(raw.cpu))
    for label, rate in ((f"handle (a transaction each)", single), (f"handle_batch ({batch} a commit)", batched)):
        line = f"  /打卡 {label:30} {rate.wall:7.0f} msgs/s  ratio {rate.wall / raw.wall:.3f}"
        if raw.cpu and rate.cpu:
            line += f"   | per CPU-s {rate.cpu:7.0f}  ratio {rate.cpu / raw.cpu:.3f}"
        print(line)


def _cpu(rate: float | None) -> str:
    return f"   | per CPU-s {rate:7.0f}" if rate else "   (server-side work: wall clock only)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--pg", help="PostgreSQL server URL (a throwaway database is made on it)")
    args = parser.parse_args()
    print(f"n = {args.n} check-ins from distinct members, villages of {VILLAGE_SIZE}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        raw = bench_raw_sqlite(folder / "raw.sqlite3", args.n)
        single = bench_router(f"sqlite:///{folder / 'single.sqlite3'}", args.n, 1)
        batched = bench_router(f"sqlite:///{folder / 'batched.sqlite3'}", args.n, args.batch)
    report("SQLite (WAL, synchronous=NORMAL)", raw, single, batched, args.batch)
    if args.pg:
        with throwaway_postgres(args.pg) as (conninfo, url):
            raw = bench_raw_postgres(conninfo, args.n)
            single = bench_router(url, args.n, 1)
        with throwaway_postgres(args.pg) as (conninfo, url):
            batched = bench_router(url, args.n, args.batch)
        report("PostgreSQL (synchronous_commit=on)", raw, single, batched, args.batch)


if __name__ == "__main__":
    main()
