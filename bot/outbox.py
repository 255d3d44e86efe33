"""Writing to the persistent outbox. Every outbound message is a row first (in the same
transaction as the effect that caused it); a delivery worker sends the rows later."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.messages import OutboundMessage, Reply
from storage.models import GroupChat, OutboxMessage
from storage.repositories import OrgRepository, OutboxRepository

__all__ = ["OutboxWriter", "to_outbound"]


class OutboxWriter:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._rows = OutboxRepository(session)
        self._org = OrgRepository(session)

    def enqueue(
        self,
        reply: Reply,
        *,
        platform: str,
        chat_id: str,
        reply_ref: str | None = None,
        dedupe_key: str | None = None,
    ) -> OutboxMessage | None:
        """Queue one reply for a chat. With a dedupe_key already queued, nothing is added."""
        user_ids = self._org.user_ids(list(reply.mentions), platform)
        now = self._clock.now()
        row = OutboxMessage(
            platform=platform,
            chat_id=chat_id,
            text=reply.text,
            markdown=reply.markdown,
            mentions=[user_ids[m] for m in reply.mentions if m in user_ids],
            image_ref=reply.image_ref,
            reply_ref=reply_ref,
            dedupe_key=dedupe_key,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
        return self._rows.add(row)

    def to_group(self, group: GroupChat, reply: Reply, *, dedupe_key: str | None = None) -> OutboxMessage | None:
        return self.enqueue(reply, platform=group.platform, chat_id=group.chat_id, dedupe_key=dedupe_key)

    def to_groups(
        self, groups: Iterable[GroupChat], reply: Reply, *, dedupe_key: str | None = None
    ) -> list[OutboxMessage]:
        """Send to several groups (e.g. a village's WeCom and DingTalk groups); one key per group."""
        queued = []
        for group in groups:
            key = f"{dedupe_key}@{group.platform}:{group.chat_id}" if dedupe_key else None
            row = self.to_group(group, reply, dedupe_key=key)
            if row is not None:
                queued.append(row)
        return queued


def to_outbound(row: OutboxMessage) -> OutboundMessage:
    return OutboundMessage(
        platform=row.platform,
        chat_id=row.chat_id,
        text=row.text,
        markdown=row.markdown,
        mentions=tuple(row.mentions or ()),
        image_ref=row.image_ref,
        reply_ref=row.reply_ref,
        outbox_id=row.id,
    )
