"""Neutral message types: what adapters produce (`InboundMessage`), what handlers return (`Reply`)
and what the outbox hands to an adapter for sending (`OutboundMessage`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Mapping

__all__ = ["Attachment", "Button", "Card", "InboundMessage", "OutboundMessage", "Reply", "Tap", "as_text"]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message. `ref` is what the platform's download API needs (url, media id,
    downloadCode); the adapter that produced it knows how to fetch it."""

    kind: str  # "image" | "file"
    ref: str
    name: str = ""


@dataclass(frozen=True)
class Button:
    """A button on a card; tapping it is the same as typing `command` (e.g. "/打卡")."""

    label: str
    command: str


@dataclass(frozen=True)
class Card:
    """A message shown as a card with buttons where the platform can (WeCom template_card,
    DingTalk interactive card); elsewhere as its text plus a line naming the commands.

    `key` names the card for later updates (the WeCom task_id / DingTalk outTrackId): only
    letters, digits and `_-@`. `update=True` marks a refresh of a card already posted.
    """

    key: str
    title: str
    buttons: tuple[Button, ...] = ()
    update: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "update": self.update,
                "buttons": [[b.label, b.command] for b in self.buttons]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Card | None:
        if not data:
            return None
        buttons = tuple(Button(label, command) for label, command in data.get("buttons", []))
        return cls(data["key"], data.get("title", ""), buttons, bool(data.get("update")))


@dataclass(frozen=True)
class Tap:
    """An inbound message that came from tapping a card button (its command is the text)."""

    card_key: str


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
    tap: Tap | None = None  # set when the message is a button tap on a card
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
    card: Card | None = None


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
    card: Card | None = None


TAP_HINT = "（回复 {commands}）"


def as_text(message: OutboundMessage) -> OutboundMessage | None:
    """The message for a platform or mode that cannot show cards: the card's text with a line
    naming its commands; None for a card update (there is no card to update)."""
    if message.card is None:
        return message
    if message.card.update:
        return None
    unsaid = [b.command for b in message.card.buttons if b.command not in message.text]
    hint = TAP_HINT.format(commands=" ".join(unsaid)) if unsaid else ""
    return replace(message, text="\n".join(p for p in (message.text, hint) if p), card=None)
