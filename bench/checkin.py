"""Benchmark: /打卡 through the whole router into SQLite (file, WAL), against raw sqlite3 inserts.

Pushes N check-ins from distinct members through the dispatcher (parse, dedupe, resolve member,
handler, outbox row, one transaction each) and, in the same run, times single-row INSERT+COMMIT
into an equivalent table with the sqlite3 module on the same kind of file. The raw side runs twice:
with the bot's own pragmas (WAL, synchronous=NORMAL: no fsync per commit) and with the sqlite3
module's defaults (rollback journal, fsync per commit). Prints the rates and both ratios.

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


VILLAGE_SIZE = 15  # cadres of one village, as in the townships we serve


def seed(app, n: int) -> None:
    """n members in villages of 15, each village with its own WeCom group `g<village>`."""
    with app.unit_of_work() as uow:
        session = uow.session
        township = Township(name="芝英镇")
        session.add(township)
        session.flush()
        for i in range(n):
            if i % VILLAGE_SIZE == 0:
                village = Village(township_id=township.id, name=f"第{i // VILLAGE_SIZE}村")
                session.add(village)
                session.flush()
                session.add(
                    GroupChat(platform="wecom", chat_id=f"g{village.id}", township_id=township.id, village_id=village.id)
                )
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
        InboundMessage("wecom", f"g{i // VILLAGE_SIZE + 1}", f"u{i}", f"成员{i}", "/打卡", f"m{i}", clock.now())
        for i in range(n)
    ]
    started = time.perf_counter()
    for i, message in enumerate(messages, 1):
        app.dispatcher.handle(message)
        if i % 500 == 0:
            print(f"  router: {i}/{n}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    app.close()
    return n / elapsed


def bench_raw(folder: Path, n: int, *, same_pragmas: bool) -> float:
    """Single-row INSERT+COMMIT. same_pragmas: WAL + synchronous=NORMAL as the bot's engine uses;
    otherwise the sqlite3 module's defaults (rollback journal, fsync on every commit)."""
    connection = sqlite3.connect(folder / f"raw-{same_pragmas}.sqlite3", isolation_level=None)
    if same_pragmas:
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
        raw_same = bench_raw(folder, args.n, same_pragmas=True)
        raw_default = bench_raw(folder, args.n, same_pragmas=False)
        router = bench_router(folder, args.n)
    print(f"n = {args.n} check-ins from distinct members, villages of {VILLAGE_SIZE}")
    print(f"/打卡 through the router (WAL, synchronous=NORMAL) : {router:9.0f} msgs/s")
    print(f"raw sqlite3, same pragmas (WAL, NORMAL)           : {raw_same:9.0f} rows/s  ratio {router / raw_same:.3f}")
    print(f"raw sqlite3, module defaults (journal, FULL)      : {raw_default:9.0f} rows/s  ratio {router / raw_default:.3f}")


if __name__ == "__main__":
    main()
