"""Deleting what is only kept for a while: the inbox's handled messages, the processed-id marks and
the outbox's sent (or dismissed) rows, once older than `[retention] days` (30 by default).

Platforms retry a callback within minutes, so a 30-day-old processed id guards against nothing;
the check-ins, resolutions, votes and points those messages made are the township's record and are
never touched here. What an operator must still look at is kept whatever its age: failed and
rejected inbox rows, failed and uncertain outbox rows (`cadrebot inbox`, `cadrebot outbox`).

Rows go in chunks, each in its own short transaction, so a province's first prune (millions of
rows) never holds locks for long or competes with a morning's intake for more than a moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, select

from storage.models import InboxMessage, OutboxMessage, ProcessedMessage

__all__ = ["PRUNABLE", "Pruned", "prune_before"]

CHUNK = 5000


@dataclass(frozen=True)
class Pruned:
    inbox: int
    processed_ids: int
    outbox: int

    def __str__(self) -> str:
        return f"收件箱 {self.inbox} 条、已处理消息标记 {self.processed_ids} 条、已发送消息 {self.outbox} 条"


# what may go, per table: (model, condition on rows older than the cutoff)
PRUNABLE = {
    "inbox": (InboxMessage, lambda cutoff: (InboxMessage.in_state("handled"), InboxMessage.received_at < cutoff)),
    "processed_ids": (ProcessedMessage, lambda cutoff: (ProcessedMessage.received_at < cutoff,)),
    "outbox": (OutboxMessage, lambda cutoff: (OutboxMessage.status.in_(("sent", "dismissed")),
                                              OutboxMessage.created_at < cutoff)),
}


def prune_before(engine: Engine, cutoff: datetime, chunk: int = CHUNK) -> Pruned:
    """Delete every prunable row older than `cutoff`; how many of each kind went."""
    return Pruned(**{name: _prune(engine, model, where(cutoff), chunk) for name, (model, where) in PRUNABLE.items()})


def _prune(engine: Engine, model, conditions, chunk: int) -> int:
    """Oldest first, each chunk after the last id deleted: the next chunk's scan does not walk
    again over the rows just deleted (their dead entries stay in the index until vacuum)."""
    total, after = 0, 0
    while True:
        oldest = select(model.id).where(*conditions, model.id > after).order_by(model.id).limit(chunk).scalar_subquery()
        with engine.begin() as connection:
            deleted = connection.execute(delete(model).where(model.id.in_(oldest)).returning(model.id)).scalars().all()
        total += len(deleted)
        if len(deleted) < chunk:
            return total
        after = max(deleted)
