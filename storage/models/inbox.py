"""The durable inbox: every inbound platform message, committed before the platform gets its ack.

`payload` holds the neutral message (bot/runtime/inbox.py `to_payload`), enough to handle it again
after a restart. `status`: pending → handled, or rejected (an unreadable frame, acked and kept so
it is not redelivered forever), or failed (the dispatcher raised `max_attempts` times).
`claimed_at`: when a dispatcher took the row (`dispatching`), renewed while it holds it; a claim
older than the lease belongs to a process that died (bot/runtime/claims.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.types import ShanghaiDateTime


class InboxMessage(Base):
    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
