"""What an operator does with the outbox (`cadrebot outbox`): see what is queued, failed or
uncertain, send a row again, or dismiss it with a reason that is kept on the row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from storage.models import OutboxMessage

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["OutboxRow", "dismiss", "open_rows", "retry", "retry_uncertain"]

OPEN_STATUSES = ("pending", "sending", "failed", "uncertain")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    status: str
    platform: str
    chat_id: str
    text: str
    attempts: int
    created_at: datetime
    last_status: int | None
    last_error: str | None


def open_rows(app: App, limit: int = 200) -> list[OutboxRow]:
    """Rows not sent yet (queued, in flight, failed, uncertain), oldest first."""
    with app.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status.in_(OPEN_STATUSES)).order_by(OutboxMessage.id).limit(limit)
        )
        return [
            OutboxRow(r.id, r.status, r.platform, r.chat_id, r.text, r.attempts, r.created_at, r.last_status,
                      r.last_error)
            for r in rows
        ]


def retry(app: App, row_id: int) -> bool:
    """Queue a failed or uncertain row again, now; False when there is no such row to retry."""
    return _requeue(app, OutboxMessage.id == row_id) == 1


def retry_uncertain(app: App) -> int:
    """Queue every uncertain row again (the operator checked the groups: they were not delivered)."""
    return _requeue(app, OutboxMessage.status == "uncertain")


def dismiss(app: App, row_id: int, reason: str) -> bool:
    with app.unit_of_work() as uow:
        result = uow.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status.in_(("pending", "failed", "uncertain")))
            .values(status="dismissed", last_error=f"已忽略：{reason}")
        )
        uow.commit()
    return result.rowcount == 1


def _requeue(app: App, condition) -> int:
    with app.unit_of_work() as uow:
        result = uow.session.execute(
            update(OutboxMessage)
            .where(condition, OutboxMessage.status.in_(("failed", "uncertain")))
            .values(status="pending", attempts=0, next_attempt_at=app.clock.now())
        )
        uow.commit()
    return result.rowcount
