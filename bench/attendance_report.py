"""Benchmark: the month report of a whole township of 1,000 villages × 15 cadres with a check-in
for every day of the month (465,000 rows), on SQLite (file, WAL). Prints seeding progress, then
the report's time and rows/s. Target: under 2 s.

    .venv/bin/python bench/attendance_report.py [--villages 1000] [--members 15] [--month 2026-10]
"""

from __future__ import annotations

import argparse
import calendar
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot.clock import TZ  # noqa: E402
from bot.config import Settings  # noqa: E402
from handlers.attendance_report import month_report  # noqa: E402
from storage import make_engine, make_session_factory, migrate  # noqa: E402
from storage.models import Checkin, LeaveRequest, Member, Township, Village  # noqa: E402

BATCH = 20_000


def seed(engine, villages: int, members: int, year: int, month: int) -> int:
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    with engine.begin() as conn:
        township_id = conn.execute(insert(Township).values(name="基准镇")).inserted_primary_key[0]
        conn.execute(insert(Village), [{"id": v, "township_id": township_id, "name": f"{v}村"} for v in range(1, villages + 1)])
        conn.execute(insert(Member), [
            {"id": (v - 1) * members + m, "township_id": township_id, "village_id": v, "name": f"干部{m}",
             "role": "书记" if m == 1 else "村干部", "active": True}
            for v in range(1, villages + 1) for m in range(1, members + 1)
        ])
        # every tenth member has two days of approved leave
        conn.execute(insert(LeaveRequest), [
            {"member_id": member_id, "start_day": days[9], "end_day": days[10], "reason": "培训", "status": "approved",
             "requested_at": datetime(year, month, 1, 9, tzinfo=TZ)}
            for member_id in range(1, villages * members + 1, 10)
        ])
    rows, total = [], villages * members * len(days)
    done = 0
    for member_id in range(1, villages * members + 1):
        village_id = (member_id - 1) // members + 1
        for day in days:
            at = datetime(day.year, day.month, day.day, 8, (member_id + day.day) % 50, tzinfo=TZ)
            rows.append({"member_id": member_id, "day": day, "checked_at": at, "late": at.minute > 30,
                         "village_id": village_id, "source": "chat"})
        if len(rows) >= BATCH or member_id == villages * members:
            with engine.begin() as conn:
                conn.execute(insert(Checkin), rows)
            done += len(rows)
            rows = []
            print(f"\r  seeded {done:,} check-ins ({member_id * len(days) * 100 // total}%)", end="", flush=True)
    print()
    return township_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--members", type=int, default=15)
    parser.add_argument("--month", default="2026-10")
    args = parser.parse_args()
    year, month = (int(p) for p in args.month.split("-"))
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'bench.sqlite3'}")
        migrate(engine)
        print(f"seeding {args.villages:,} villages × {args.members} members × the days of {args.month} …")
        started = time.perf_counter()
        township_id = seed(engine, args.villages, args.members, year, month)
        print(f"  seeding took {time.perf_counter() - started:.1f} s")
        sessions = make_session_factory(engine)
        settings = Settings(database_url=str(engine.url))
        after_month = date(year, month, calendar.monthrange(year, month)[1]) + timedelta(days=1)
        timings = []
        for _ in range(3):
            with sessions() as session:
                township = session.get(Township, township_id)
                started = time.perf_counter()
                report = month_report(session, settings, township, year, month, after_month)
                timings.append(time.perf_counter() - started)
        with engine.connect() as conn:
            checkins = conn.exec_driver_sql("SELECT count(*) FROM checkins").scalar()
        best = min(timings)
        print(f"month report: {len(report.members):,} members, {report.required} workdays, {checkins:,} check-ins")
        print(f"  time: best {best:.3f} s of {len(timings)} (runs: {', '.join(f'{t:.3f}' for t in timings)})")
        print(f"  throughput: {checkins / best:,.0f} check-in rows/s, {len(report.members) / best:,.0f} members/s")
        print(f"  target < 2 s: {'OK' if best < 2 else 'MISSED'}")
        engine.dispose()


if __name__ == "__main__":
    main()
