"""The dispatcher: one inbound message → one transaction holding the processed-id mark, the
handler's effects and the replies queued in the outbox. Adapters call `handle` and ack.

The text is cleaned once here, at the edge (`clean_inbound`). A failure anywhere in the pipeline
(a middleware, a locked database, the commit) rolls the whole transaction back — so the message
stays unmarked and a retry of the same id is handled — and the sender is told "系统繁忙"."""

from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot import texts
from bot.context import Context
from bot.contract.hygiene import clean_text
from bot.messages import InboundMessage, Reply
from bot.middleware import chain
from bot.middleware.cards import refresh_tapped_card
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

MIDDLEWARE = (
    ignore_self, drop_duplicates, resolve_member_and_group, hint_unknown_group, refresh_tapped_card, reply_on_error,
)


class Outcome(enum.Enum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    FAILED = "failed"  # nothing stored, the message left unmarked; the sender was told to resend


@dataclass(frozen=True)
class DispatchResult:
    outcome: Outcome
    replies: tuple[Reply, ...] = ()
    outbox_ids: tuple[int, ...] = field(default=())


class Dispatcher:
    def __init__(self, app: App) -> None:
        self._app = app
        self._pipeline = chain(MIDDLEWARE, route)
        self._unsent: list[tuple[InboundMessage, Reply]] = []  # busy replies the database refused
        self._unsent_lock = threading.Lock()

    def handle(self, message: InboundMessage) -> DispatchResult:
        message = clean_inbound(message)
        try:
            return self._handle(message)
        except Exception:
            log.exception("pipeline failed on %s message %s", message.platform, message.message_id)
            return self._busy(message)

    def _handle(self, message: InboundMessage) -> DispatchResult:
        with UnitOfWork(self._app.session_factory) as uow:
            ctx = Context.for_message(self._app, uow.session, message)
            try:
                replies = self._pipeline(ctx)
            except DuplicateMessage:
                return DispatchResult(Outcome.DUPLICATE)
            self._queue_unsent(ctx)
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

    def _busy(self, message: InboundMessage) -> DispatchResult:
        """Tell the sender to resend, in a transaction of its own (the message stays unmarked). When
        the database refuses even that, the reply waits in memory for the next message's commit."""
        reply = Reply(texts.BUSY)
        try:
            with UnitOfWork(self._app.session_factory) as uow:
                row = Context.for_message(self._app, uow.session, message).outbox.enqueue(
                    reply, platform=message.platform, chat_id=message.chat_id, reply_ref=message.reply_ref
                )
                uow.commit()
            return DispatchResult(Outcome.FAILED, (reply,), (row.id,) if row else ())
        except Exception:
            log.exception("could not queue the busy reply for message %s", message.message_id)
            with self._unsent_lock:
                self._unsent.append((message, reply))
            return DispatchResult(Outcome.FAILED, (reply,))

    def _queue_unsent(self, ctx: Context) -> None:
        if not self._unsent:
            return
        with self._unsent_lock:
            unsent, self._unsent = self._unsent, []
        for message, reply in unsent:
            ctx.outbox.enqueue(reply, platform=message.platform, chat_id=message.chat_id, reply_ref=message.reply_ref)

    def _was_handled_meanwhile(self, message: InboundMessage) -> bool:
        """A concurrent delivery of the same id won the race on the unique constraint."""
        with UnitOfWork(self._app.session_factory) as uow:
            return ProcessedMessageRepository(uow.session).seen(message.platform, message.message_id)


def clean_inbound(message: InboundMessage) -> InboundMessage:
    """The edge: text and sender name without NUL, control, zero-width or bidi characters, trimmed."""
    text, name = clean_text(message.text), clean_text(message.sender_name)
    if text == message.text and name == message.sender_name:
        return message
    return replace(message, text=text, sender_name=name)
