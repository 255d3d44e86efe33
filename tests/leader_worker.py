"""A worker process for the leader fault test (tests/test_leader.py): `cadrebot serve` as it
runs in production — web server, outbox worker, leader election — with the recurring jobs replaced
by one fast job that appends "<pid> <time>" to a file whenever it runs.

    python -m tests.leader_worker DATABASE_URL TICK_FILE TAKEOVER_SECONDS
"""

from __future__ import annotations

import logging
import os
import sys
import time

TICK_FILE = "CADREBOT_TEST_TICK_FILE"


def tick() -> None:
    """The job: one line per run; O_APPEND keeps lines whole across processes."""
    with open(os.environ[TICK_FILE], "a") as handle:
        handle.write(f"{os.getpid()} {time.time():.3f}\n")


def main() -> None:
    url, tick_file, takeover = sys.argv[1], sys.argv[2], float(sys.argv[3])
    os.environ[TICK_FILE] = tick_file
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {os.getpid()} %(name)s: %(message)s")

    from bot.app import build_app
    from bot.config import LeaderSettings, Settings
    from bot.serve import Server
    from scheduler import wiring

    wiring.RECURRING_JOBS[:] = [wiring.RecurringJob("test.tick", "tests.leader_worker:tick", "interval", {"seconds": 0.2}, 1)]
    settings = Settings(database_url=url, leader=LeaderSettings(takeover_seconds=takeover))
    Server(build_app(settings, migrate_db=False), host="127.0.0.1", port=0).run_forever()


if __name__ == "__main__":
    main()
