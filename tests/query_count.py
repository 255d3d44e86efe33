"""Counting the SQL statements a piece of code sends, for the tests that keep a job or a page from
asking the database once per village, member or entry (N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event

# What the outbox writer reads for each message it queues (its dedupe key, the @-accounts): one
# message costs these however the caller found its recipients.
OUTBOX_OWN_READS = ("FROM outbox ", "FROM identities ")


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block, in order."""
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def reads(seen: list[str], *, besides: tuple[str, ...] = OUTBOX_OWN_READS) -> int:
    """How many of the statements are reads, leaving out those that touch `besides`."""
    selects = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    return sum(1 for s in selects if not any(b in s for b in besides))


def touching(seen: list[str], *markers: str) -> int:
    """How many of the statements contain one of the markers (a table, a filter)."""
    return sum(1 for s in seen if any(m in s for m in markers))
