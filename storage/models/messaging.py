"""Message bookkeeping: inbound message ids already handled, and the persistent outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.types import ShanghaiDateTime


class ProcessedMessage(Base):
    """One row per inbound platform message id; the unique pair makes redelivery a no-op."""

    __tablename__ = "processed_messages"
    __table_args__ = (UniqueConstraint("platform", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)


class OutboxMessage(Base):
    """A message to send. Written in the same transaction as the effect that caused it.

    `dedupe_key`, when set, makes a send unique (a scheduled job that runs twice sends once).
    `mentions` holds platform user ids; `reply_ref` a platform reply handle (response_url,
    sessionWebhook) when the message answers an inbound one.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        # a chat's head, its row in flight and its last minute's sends: per chat, not per platform
        Index("ix_outbox_chat", "platform", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), index=True)
    chat_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    markdown: Mapped[bool] = mapped_column(Boolean, default=False)
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)
    image_ref: Mapped[str | None] = mapped_column(String(256))
    reply_ref: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(191))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status of the last attempt
    card: Mapped[dict | None] = mapped_column(JSON)  # bot.messages.Card.to_json(): buttons, key, update
    # when a worker claimed the row for sending: with several workers, only a claim older than the
    # send timeout belongs to a worker that died (see bot/delivery.py `recover`)
    claimed_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
