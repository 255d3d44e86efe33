"""Sending what the outbox holds, in order, through the adapter of each platform."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Mapping, Protocol

from bot.messages import OutboundMessage
from bot.outbox import to_outbound
from storage.repositories import OutboxRepository

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class Sender(Protocol):
    """What an adapter offers the outbox: send one message or raise."""

    def send(self, message: OutboundMessage) -> None: ...


def deliver_due(app: App, senders: Mapping[str, Sender], *, platform: str | None = None) -> int:
    """Send every due row once, oldest first; return how many were sent."""
    sent = 0
    with app.unit_of_work() as uow:
        rows = OutboxRepository(uow.session).due(app.clock.now(), platform=platform)
        for row in rows:
            sender = senders.get(row.platform)
            if sender is None:
                continue
            row.attempts += 1
            sender.send(to_outbound(row))
            row.status, row.sent_at = "sent", app.clock.now()
            uow.commit()
            sent += 1
    return sent
