"""Writing to the persistent outbox. Every outbound message is a row first (in the same
transaction as the effect that caused it); a delivery worker sends the rows later."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy.orm import Session

from bot.chunking import limit_for, split_text
from bot.clock import Clock
from bot.messages import Card, OutboundMessage, Reply
from storage.models import GroupChat, OutboxMessage
from storage.repositories import OrgRepository, OutboxRepository

__all__ = ["OutboxWriter", "to_outbound"]

# Reply handles a platform accepts only once: WeCom's AI-bot `response_url` (one call, ~1 h —
# https://developer.work.weixin.qq.com/document/path/101138). Only the first row queued for it
# carries it; later parts and replies go by the group webhook or the app. DingTalk's
# sessionWebhook may be called many times until it expires.
SINGLE_USE_REPLY_REF = {"wecom"}


class OutboxWriter:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._rows = OutboxRepository(session)
        self._org = OrgRepository(session)
        self._used_refs: set[str] = set()

    def enqueue(
        self,
        reply: Reply,
        *,
        platform: str,
        chat_id: str,
        reply_ref: str | None = None,
        dedupe_key: str | None = None,
    ) -> int | None:
        """Queue one reply for a chat, split at the platform's size limit into as few rows as fit.

        Each part carries the mentions whose `@姓名` it shows (mentions named nowhere go with the
        first part). With a dedupe_key already queued, nothing is added. Returns the first row's id.
        """
        ids = self._queue(reply, platform, chat_id, reply_ref, dedupe_key, self._rows.add)
        return ids[0] if ids else None

    def enqueue_later(self, reply: Reply, *, platform: str, chat_id: str, reply_ref: str | None = None) -> list[list[int]]:
        """Like `enqueue`, but the rows are held back and written with the rest of a batch's replies
        in one statement (storage: `OutboxRepository.add_later`); each returned list receives a row id."""
        return self._queue(reply, platform, chat_id, reply_ref, None, self._rows.add_later)

    def _queue(self, reply: Reply, platform: str, chat_id: str, reply_ref: str | None, dedupe_key: str | None, add):
        if dedupe_key and self._rows.has_key(dedupe_key):
            return []
        parts = split_text(reply.text, limit_for(platform, reply.markdown))
        mentions = self._mentions_by_part(reply, platform, parts)
        now = self._clock.now()
        return [
            add({
                "platform": platform,
                "chat_id": chat_id,
                "text": part,
                "markdown": reply.markdown,
                "mentions": mentions[index],
                "image_ref": reply.image_ref if index == 0 else None,
                "card": reply.card.to_json() if reply.card and index == 0 else None,
                "reply_ref": self._reply_ref(platform, reply_ref),
                "dedupe_key": _part_key(dedupe_key, index),
                "created_at": now,
                "next_attempt_at": now,
            })
            for index, part in enumerate(parts)
        ]

    def _reply_ref(self, platform: str, reply_ref: str | None) -> str | None:
        if reply_ref is None or platform not in SINGLE_USE_REPLY_REF or not reply_ref.startswith("http"):
            return reply_ref  # a long-connection req_id (bot/adapters/wecom_long.py) is not a response_url
        if reply_ref in self._used_refs:
            return None
        self._used_refs.add(reply_ref)
        return reply_ref

    def _mentions_by_part(self, reply: Reply, platform: str, parts: list[str]) -> list[list[str]]:
        user_ids = self._org.user_ids(list(reply.mentions), platform)
        by_part: list[list[str]] = [[] for _ in parts]
        names = self._org.names(list(user_ids)) if len(parts) > 1 else {}
        for member_id in reply.mentions:
            if member_id not in user_ids:
                continue
            shown_in = next((i for i, p in enumerate(parts) if f"@{names.get(member_id)}" in p), 0)
            by_part[shown_in].append(user_ids[member_id])
        return by_part

    def to_group(self, group: GroupChat, reply: Reply, *, dedupe_key: str | None = None) -> int | None:
        return self.enqueue(reply, platform=group.platform, chat_id=group.chat_id, dedupe_key=dedupe_key)

    def to_groups(
        self, groups: Iterable[GroupChat], reply: Reply, *, dedupe_key: str | None = None
    ) -> list[int]:
        """Send to several groups (e.g. a village's WeCom and DingTalk groups); one key per group."""
        queued = []
        for group in groups:
            key = f"{dedupe_key}@{group.platform}:{group.chat_id}" if dedupe_key else None
            row_id = self.to_group(group, reply, dedupe_key=key)
            if row_id is not None:
                queued.append(row_id)
        return queued


def _part_key(dedupe_key: str | None, index: int) -> str | None:
    if dedupe_key is None or index == 0:
        return dedupe_key
    return f"{dedupe_key}#{index + 1}"


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
        card=Card.from_json(row.card),
    )
