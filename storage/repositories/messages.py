"""Processed inbound message ids and the outbox's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.driver import DriverStatement
from storage.inserts import core_connection, insert_if_new, insert_many_if_new
from storage.models import OutboxMessage, ProcessedMessage

_MESSAGE_KEY = ("platform", "message_id")
_OUTBOX_TABLE = OutboxMessage.__table__
_OUTBOX_COLUMNS = [column.key for column in _OUTBOX_TABLE.columns if column.key != "id"]
_NEW_OUTBOX_ROW = dict.fromkeys(_OUTBOX_COLUMNS) | {"status": "pending", "attempts": 0}
_INSERT_OUTBOX = DriverStatement(insert(_OUTBOX_TABLE).returning(_OUTBOX_TABLE.c.id), column_keys=_OUTBOX_COLUMNS)


class ProcessedMessageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, platform: str, message_id: str) -> bool:
        return (
            self.session.scalar(
                select(ProcessedMessage.id).where(
                    ProcessedMessage.platform == platform, ProcessedMessage.message_id == message_id
                )
            )
            is not None
        )

    def mark_new(self, platform: str, message_id: str, received_at: datetime) -> bool:
        """Record the id; False when it was recorded before (one statement, no read first)."""
        values = {"platform": platform, "message_id": message_id, "received_at": received_at}
        return insert_if_new(core_connection(self.session), ProcessedMessage.__table__, values, _MESSAGE_KEY) is not None


    def mark_new_many(self, keys: list[tuple[str, str]], received_at: datetime) -> set[tuple[str, str]]:
        """Record many (platform, message id) pairs in one statement; return those that were new."""
        rows = [{"platform": platform, "message_id": message_id, "received_at": received_at} for platform, message_id in keys]
        inserted = insert_many_if_new(core_connection(self.session), ProcessedMessage.__table__, rows, _MESSAGE_KEY)
        return {(platform, message_id) for platform, message_id in inserted}


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, values: dict[str, Any]) -> int:
        """Queue a pending row (the writer has checked its dedupe key); returns its id. One INSERT …
        RETURNING on the driver: building an ORM object and flushing it costs more than it gives here."""
        row = dict(_NEW_OUTBOX_ROW, **values)
        return _INSERT_OUTBOX.scalar(core_connection(self.session), row)

    def has_key(self, dedupe_key: str) -> bool:
        return self.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None

    def due(self, now: datetime, platform: str | None = None, limit: int = 100) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        if platform is not None:
            query = query.where(OutboxMessage.platform == platform)
        return list(self.session.scalars(query.order_by(OutboxMessage.id).limit(limit)))

    def all(self, platform: str | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessage)
        if platform is not None:
            query = query.where(OutboxMessage.platform == platform)
        return list(self.session.scalars(query.order_by(OutboxMessage.id)))
