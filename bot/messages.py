"""Neutral message types: what adapters produce (`InboundMessage`), what handlers return (`Reply`)
and what the outbox hands to an adapter for sending (`OutboundMessage`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

__all__ = ["Attachment", "InboundMessage", "Reply", "OutboundMessage"]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message. `ref` is what the platform's download API needs (url, media id,
    downloadCode); the adapter that produced it knows how to fetch it."""

    kind: str  # "image" | "file"
    ref: str
    name: str = ""


@dataclass(frozen=True)
class InboundMessage:
    platform: str  # "wecom" | "dingtalk" | "console"
    chat_id: str
    sender_id: str
    sender_name: str
    text: str
    message_id: str
    received_at: datetime
    attachments: tuple[Attachment, ...] = ()
    is_group: bool = True
    from_bot: bool = False
    reply_ref: str | None = None  # response_url / sessionWebhook, for answering this message
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def images(self) -> tuple[Attachment, ...]:
        return tuple(a for a in self.attachments if a.kind == "image")


@dataclass(frozen=True)
class Reply:
    """What a handler wants said. Mentions are member ids; the outbox turns them into platform ids."""

    text: str
    mentions: tuple[int, ...] = ()
    markdown: bool = False
    image_ref: str | None = None


@dataclass(frozen=True)
class OutboundMessage:
    """One row of the outbox, ready for an adapter: platform ids only."""

    platform: str
    chat_id: str
    text: str
    markdown: bool = False
    mentions: tuple[str, ...] = ()
    image_ref: str | None = None
    reply_ref: str | None = None
    outbox_id: int | None = None
