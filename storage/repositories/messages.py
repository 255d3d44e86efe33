"""Processed inbound message ids and the outbox's rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, ProcessedMessage


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

    def mark(self, platform: str, message_id: str, received_at: datetime) -> None:
        self.session.add(ProcessedMessage(platform=platform, message_id=message_id, received_at=received_at))
        self.session.flush()


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: OutboxMessage) -> OutboxMessage | None:
        """Queue a row; a row whose dedupe_key was already queued is skipped (returns None)."""
        if row.dedupe_key and self.has_key(row.dedupe_key):
            return None
        self.session.add(row)
        self.session.flush()
        return row

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
