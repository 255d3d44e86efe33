"""Benchmark: draining the outbox for 1,000 robots (group webhooks) limited to 20 messages a
minute each, with 1 and 2 workers on one PostgreSQL database.

Queues 25 messages for each of 1,000 WeCom groups, then runs the outbox workers against an
in-process sender that only records what it was given (the platforms' HTTP time is not measured:
this measures the claims — lock, order, rate — in the database). The clock is a ManualClock: the
first pass may send 20 per group (20,000), then one simulated minute later the other 5 each.
Prints the send rate of the claim machinery, and checks: nothing twice, order kept per group,
never more than 20 per group in the first minute. Workers are threads with separate engines and
connections (the database cannot tell them from processes; Python's GIL makes two threads a
pessimistic stand-in for two processes).

    python bench/outbox_drain.py [--groups 1000] [--per-group 25] [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bench.checkin import throwaway_postgres  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.clock import TZ, ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery import OutboxWorker  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def send(self, message) -> None:
        with self._lock:
            self.sent.append((message.chat_id, message.text))


def queue(app, groups: int, per_group: int, now) -> None:
    rows = [
        {"platform": "wecom", "chat_id": f"g{g}", "text": f"{n}", "markdown": False, "mentions": [],
         "status": "pending", "attempts": 0, "created_at": now, "next_attempt_at": now}
        for n in range(per_group) for g in range(groups)
    ]
    with app.engine.begin() as connection:
        connection.execute(insert(OutboxMessage), rows)


def drain(url: str, workers: int, groups: int, per_group: int) -> None:
    clock = ManualClock(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    apps = [build_app(Settings(database_url=url), clock=clock, migrate_db=(n == 0)) for n in range(workers)]
    sender = RecordingSender()
    queue(apps[0], groups, per_group, clock.now())
    outbox_workers = [OutboxWorker(app, {"wecom": sender}) for app in apps]
    for minute in (0, 1):
        before = len(sender.sent)
        threads = [threading.Thread(target=worker.run_once) for worker in outbox_workers]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        sent = len(sender.sent) - before
        print(f"  {workers} worker(s), minute {minute}: {sent:6d} sent in {elapsed:6.1f} s = {sent / elapsed:6.0f} sends/s")
        if minute == 0:
            first = defaultdict(int)
            for chat, _ in sender.sent:
                first[chat] += 1
            assert max(first.values()) <= 20, "a group got more than 20 in a minute"
        clock.advance(seconds=61)
    by_chat = defaultdict(list)
    for chat, text in sender.sent:
        by_chat[chat].append(int(text))
    assert len(sender.sent) == groups * per_group, "something was not sent, or sent twice"
    assert all(texts == list(range(per_group)) for texts in by_chat.values()), "order broken"
    print(f"  {workers} worker(s): all {groups * per_group} sent once, in order per group, ≤ 20 per group per minute")
    for app in apps:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--per-group", type=int, default=25)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"outbox drain: {args.groups} groups × {args.per_group} messages, 20 per group per minute")
    for workers in (1, 2):
        with throwaway_postgres(args.pg) as (_conninfo, url):
            drain(url, workers, args.groups, args.per_group)


if __name__ == "__main__":
    main()
