"""The durable inbox: every inbound platform message, committed before the platform gets its ack.

`payload` holds the neutral message (bot/runtime/inbox.py `to_payload`), enough to handle it again
after a restart. `status`: pending → handled, or rejected (an unreadable frame, acked and kept so
it is not redelivered forever), or failed (the dispatcher raised `max_attempts` times).
`claimed_at`: when a dispatcher took the row (`dispatching`), renewed while it holds it; a claim
older than the lease belongs to a process that died (bot/runtime/claims.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ColumnElement, Index, Integer, String, Text, UniqueConstraint, literal_column, or_, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.types import ShanghaiDateTime


class InboxMessage(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "message_id"),
        # the rows still to be done, by status and in id order (the claim reads the oldest pending
        # ones); `handled` rows, nearly all of the table, are looked up by nobody
        Index("ix_inbox_unhandled", "status", "id", postgresql_where=text("status <> 'handled'"),
              sqlite_where=text("status <> 'handled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)

    @classmethod
    def in_state(cls, *statuses: str) -> ColumnElement[bool]:
        """`status` is one of `statuses`, written into the SQL as literals, not bound parameters.

        The index of unfinished rows is partial (`status <> 'handled'`). After a few executions
        psycopg prepares a statement and PostgreSQL may switch to a generic plan, which must hold
        for any parameter value: with `status = $1` it cannot use the partial index, and the
        dispatcher's claim was planned as a walk of the whole primary key in id order (measured:
        about 5,000 index entries a claim a minute into a burst). With the literal it can."""
        unknown = set(statuses) - STATUSES
        if unknown:
            raise ValueError(f"unknown inbox status {sorted(unknown)}")
        return or_(*(cls.status == literal_column(f"'{status}'") for status in statuses))


STATUSES = {"pending", "dispatching", "handled", "failed", "rejected"}
