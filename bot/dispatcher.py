"""The dispatcher: one inbound message → one transaction holding the processed-id mark, the
handler's effects and the replies queued in the outbox. Adapters call `handle` and ack."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot.context import Context
from bot.messages import InboundMessage, Reply
from bot.middleware import chain
from bot.middleware.dedupe import DuplicateMessage, drop_duplicates
from bot.middleware.errors import reply_on_error
from bot.middleware.ignore_self import ignore_self
from bot.middleware.resolve import resolve_member_and_group
from bot.middleware.unknown_group import hint_unknown_group
from bot.routing import route
from storage.repositories import ProcessedMessageRepository
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

MIDDLEWARE = (ignore_self, drop_duplicates, resolve_member_and_group, hint_unknown_group, reply_on_error)


class Outcome(enum.Enum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class DispatchResult:
    outcome: Outcome
    replies: tuple[Reply, ...] = ()
    outbox_ids: tuple[int, ...] = field(default=())


class Dispatcher:
    def __init__(self, app: App) -> None:
        self._app = app
        self._pipeline = chain(MIDDLEWARE, route)

    def handle(self, message: InboundMessage) -> DispatchResult:
        with UnitOfWork(self._app.session_factory) as uow:
            ctx = Context.for_message(self._app, uow.session, message)
            try:
                replies = self._pipeline(ctx)
            except DuplicateMessage:
                return DispatchResult(Outcome.DUPLICATE)
            rows = [
                ctx.outbox.enqueue(
                    reply, platform=message.platform, chat_id=message.chat_id, reply_ref=message.reply_ref
                )
                for reply in replies
            ]
            try:
                uow.commit()
            except IntegrityError:
                uow.rollback()
                if self._was_handled_meanwhile(message):
                    return DispatchResult(Outcome.DUPLICATE)
                raise
        return DispatchResult(Outcome.HANDLED, tuple(replies), tuple(row.id for row in rows if row))

    def _was_handled_meanwhile(self, message: InboundMessage) -> bool:
        """A concurrent delivery of the same id won the race on the unique constraint."""
        with UnitOfWork(self._app.session_factory) as uow:
            return ProcessedMessageRepository(uow.session).seen(message.platform, message.message_id)
