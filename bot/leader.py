"""One scheduler leader among the workers of one database.

Every worker serves callbacks and drains the outbox, but only one may run the scheduled jobs and
hold the long-lived platform connections (DingTalk stream, WeCom long connection): two schedulers
would fire every job twice. The leader is whoever holds a lock that the database or the operating
system releases by itself when the holder dies:

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a dedicated connection.
  kill -9 closes the socket and the server drops the lock at once; a host that vanishes is noticed
  by the server's TCP keepalives, set on that connection to fire within the takeover time.
  https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
- SQLite: one process per database file is the deployment, so an exclusive `flock` on a file next
  to the database — released by the kernel when the process ends — keeps a second one from
  running a scheduler by mistake.

`LeaderElection` polls every third of `leader.takeover_seconds`: a follower tries to take the lock;
the leader checks that it still holds it (its connection may have broken) and steps down if not.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import Callable, Protocol

from sqlalchemy import NullPool, create_engine, text
from sqlalchemy.engine import Connection, make_url

log = logging.getLogger(__name__)

__all__ = ["FileLeadership", "LeaderElection", "Leadership", "PostgresLeadership", "leadership_for"]

# pg advisory lock key: any fixed 64-bit number; locks are per database, so one key suffices
SCHEDULER_LOCK = 0x43414452_45424F54  # "CADREBOT"


class Leadership(Protocol):
    def try_acquire(self) -> bool: ...
    def holds(self) -> bool: ...
    def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, url: str, takeover_seconds: float, key: int = SCHEDULER_LOCK) -> None:
        self._engine = create_engine(url, poolclass=NullPool)
        self._key = key
        self._keepalive = max(1, int(takeover_seconds // 3))
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._connect()
            got = self._connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})
        except Exception:
            log.warning("leader lock: database unreachable", exc_info=True)
            self._drop()
            return False
        return bool(got)

    def holds(self) -> bool:
        if self._connection is None:
            return False
        try:
            return bool(self._connection.scalar(_HOLDS, {"key": self._key}))
        except Exception:
            log.warning("leader lock: lost the connection that held it", exc_info=True)
            self._drop()
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            except Exception:
                pass
        self._drop()
        self._engine.dispose()

    def _connect(self) -> Connection:
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        # the server notices a vanished leader host within ~2/3 of the takeover time
        for setting in ("tcp_keepalives_idle", "tcp_keepalives_count"):
            connection.execute(text(f"SET {setting} = {self._keepalive}"))
        connection.execute(text("SET tcp_keepalives_interval = 1"))
        return connection

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:
                pass
        self._connection = None


_HOLDS = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
    " AND ((classid::bigint << 32) | objid::bigint) = :key"
)


class FileLeadership:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holds(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


class AlwaysLeader:
    """An in-memory SQLite database has one process by definition."""

    def try_acquire(self) -> bool:
        return True

    def holds(self) -> bool:
        return True

    def release(self) -> None:
        pass


def leadership_for(database_url: str, takeover_seconds: float) -> Leadership:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresLeadership(database_url, takeover_seconds)
    if not url.database or url.database == ":memory:":
        return AlwaysLeader()
    return FileLeadership(Path(url.database).with_name(Path(url.database).name + ".leader"))


class LeaderElection:
    """Decides whether this process leads; `on_elected` / `on_demoted` start and stop the
    leader-only parts (scheduler, long connections). Runs on its own daemon thread."""

    def __init__(
        self,
        leadership: Leadership,
        takeover_seconds: float,
        on_elected: Callable[[], None],
        on_demoted: Callable[[], None],
    ) -> None:
        self._leadership = leadership
        self._poll = max(0.1, takeover_seconds / 3)
        self._on_elected, self._on_demoted = on_elected, on_demoted
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.is_leader = False

    def start(self) -> None:
        self.step()  # decide at once, so a lone worker starts its scheduler without waiting
        self._thread = threading.Thread(target=self._run, name="leader", daemon=True)
        self._thread.start()

    def step(self) -> None:
        """One round: a follower tries to take the lock, the leader checks it still has it."""
        if self.is_leader:
            if not self._leadership.holds():
                log.warning("lost the scheduler lock; stepping down")
                self.is_leader = False
                self._on_demoted()
        elif self._leadership.try_acquire():
            log.info("this worker (pid %d) is now the scheduler leader", os.getpid())
            self.is_leader = True
            self._on_elected()

    def _run(self) -> None:
        while not self._stop.wait(self._poll):
            try:
                self.step()
            except Exception:
                log.exception("leader election round failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self.is_leader:
            self.is_leader = False
            self._on_demoted()
        self._leadership.release()
