"""Processed inbound message ids and the outbox's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from storage.inserts import core_connection, insert_many, insert_many_if_new
from storage.models import OutboxMessage, ProcessedMessage

_MESSAGE_KEY = ("platform", "message_id")
_OUTBOX_TABLE = OutboxMessage.__table__
_NEW_OUTBOX_ROW = {"status": "pending", "attempts": 0}  # the columns not given stay NULL
_HELD = "outbox_held_rows"  # session.info: [(row, id slot)] waiting for one multi-row INSERT


def hold_outbox_rows(session_factory: sessionmaker[Session]) -> None:
    """Held-back outbox rows are written before every commit of the factory's sessions, and
    forgotten with a transaction that ends without one (a rollback)."""

    @event.listens_for(session_factory, "before_commit")
    def _write(session: Session) -> None:
        if not session.in_nested_transaction():  # the event fires for a savepoint's release too
            OutboxRepository(session).write_held_rows()

    @event.listens_for(session_factory, "after_transaction_end")
    def _forget(session: Session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(_HELD, None)


class ProcessedMessageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def mark_new_many(self, keys: list[tuple[str, str]], received_at: datetime) -> set[tuple[str, str]]:
        """Record many (platform, message id) pairs in one statement; return those that were new."""
        rows = [{"platform": platform, "message_id": message_id, "received_at": received_at} for platform, message_id in keys]
        inserted = insert_many_if_new(core_connection(self.session), ProcessedMessage.__table__, rows, _MESSAGE_KEY)
        return {(platform, message_id) for platform, message_id in inserted}


class OutboxRepository:
    """Rows are written with one INSERT … RETURNING on the driver (an ORM object and its flush cost
    more than they give here). Replies to a batch of messages can be held back (`add_later`) and
    written together in one multi-row INSERT: before any other outbox write or read of this
    transaction, so ids keep the order rows were queued in, and at the latest before the commit
    (`write_held_rows`, called by the session's before_commit event — see `hold_outbox_rows`).
    Rows are held only where no savepoint is open: a batch's optimistic run (bot/dispatcher.py)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, values: dict[str, Any]) -> int:
        """Write a pending row now (the writer has checked its dedupe key); returns its id."""
        self.write_held_rows()
        (row_id,) = insert_many(core_connection(self.session), _OUTBOX_TABLE, [dict(_NEW_OUTBOX_ROW, **values)])
        return row_id

    def add_later(self, values: dict[str, Any]) -> list[int]:
        """Hold a pending row back until the next write or the commit; the returned list receives
        its id then."""
        slot: list[int] = []
        self.session.info.setdefault(_HELD, []).append((dict(_NEW_OUTBOX_ROW, **values), slot))
        return slot

    def write_held_rows(self) -> None:
        held = self.session.info.get(_HELD)
        if not held:
            return
        if self.session.in_nested_transaction():  # a savepoint's rollback would take them along
            raise RuntimeError("held outbox rows must be written outside a savepoint")
        del self.session.info[_HELD]
        ids = insert_many(core_connection(self.session), _OUTBOX_TABLE, [row for row, _ in held])
        for (_, slot), row_id in zip(held, ids):
            slot.append(row_id)

    def has_key(self, dedupe_key: str) -> bool:
        self.write_held_rows()
        return self.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None

    def due(self, now: datetime, platform: str | None = None, limit: int = 100) -> list[OutboxMessage]:
        self.write_held_rows()
        query = select(OutboxMessage).where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        if platform is not None:
            query = query.where(OutboxMessage.platform == platform)
        return list(self.session.scalars(query.order_by(OutboxMessage.id).limit(limit)))

    def all(self, platform: str | None = None) -> list[OutboxMessage]:
        self.write_held_rows()
        query = select(OutboxMessage)
        if platform is not None:
            query = query.where(OutboxMessage.platform == platform)
        return list(self.session.scalars(query.order_by(OutboxMessage.id)))
