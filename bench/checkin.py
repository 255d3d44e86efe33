"""Benchmark: /打卡 through the whole router into SQLite (file, WAL), against raw sqlite3 inserts.

Pushes N check-ins from distinct members through the dispatcher (parse, dedupe, resolve member,
handler, outbox row, one transaction each) and, in the same run, times single-row INSERT+COMMIT
into an equivalent table with the sqlite3 module on the same kind of file. Prints both rates and
their ratio (router rate / raw rate).

    python bench/checkin.py [--n 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app  # noqa: E402
from bot.clock import TZ, ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from storage.models import GroupChat, Identity, Member, Township, Village  # noqa: E402


def seed(app, n: int) -> None:
    with app.unit_of_work() as uow:
        session = uow.session
        township = Township(name="芝英镇")
        session.add(township)
        session.flush()
        village = Village(township_id=township.id, name="雅庄村")
        session.add(village)
        session.flush()
        session.add(GroupChat(platform="wecom", chat_id="bench", township_id=township.id, village_id=village.id))
        for i in range(n):
            member = Member(township_id=township.id, village_id=village.id, name=f"成员{i}", role="村干部", active=True)
            session.add(member)
            session.flush()
            session.add(Identity(member_id=member.id, platform="wecom", user_id=f"u{i}"))
        uow.commit()


def bench_router(folder: Path, n: int) -> float:
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=TZ))
    app = build_app(Settings(database_url=f"sqlite:///{folder / 'router.sqlite3'}"), clock=clock)
    seed(app, n)
    messages = [
        InboundMessage("wecom", "bench", f"u{i}", f"成员{i}", "/打卡", f"m{i}", clock.now()) for i in range(n)
    ]
    started = time.perf_counter()
    for i, message in enumerate(messages, 1):
        app.dispatcher.handle(message)
        if i % 500 == 0:
            print(f"  router: {i}/{n}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    app.close()
    return n / elapsed


def bench_raw(folder: Path, n: int) -> float:
    connection = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(
        "CREATE TABLE checkins (id INTEGER PRIMARY KEY, member_id INTEGER, day DATE, checked_at DATETIME,"
        " late BOOLEAN, village_id INTEGER, source VARCHAR(16), UNIQUE (member_id, day))"
    )
    started = time.perf_counter()
    for i in range(n):
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO checkins (member_id, day, checked_at, late, village_id, source) VALUES (?, ?, ?, ?, ?, ?)",
            (i, "2026-11-24", "2026-11-24 00:00:00", 0, 1, "chat"),
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        raw = bench_raw(folder, args.n)
        router = bench_router(folder, args.n)
    print(f"raw sqlite3 INSERT+COMMIT : {raw:10.0f} rows/s")
    print(f"/打卡 through the router   : {router:10.0f} msgs/s")
    print(f"ratio router/raw          : {router / raw:10.3f}")


if __name__ == "__main__":
    main()
