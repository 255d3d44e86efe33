"""The dispatcher: an inbound message → the processed-id mark, the handler's effects and the
replies queued in the outbox, all in one transaction. Adapters (through the inbox) call `handle` or
`handle_batch`.

The text is cleaned once here, at the edge (`clean_inbound`). A failure anywhere in the pipeline
(a middleware, a locked database, the commit) rolls the message's transaction back — so the
message stays unmarked and a retry of the same id is handled — and the sender is told "系统繁忙".

`handle_batch` handles messages that are ready at the same moment in ONE transaction: they share
one commit (the dominant cost of a burst of `/打卡`). It is optimistic, in two steps:
1. The batch runs with no savepoints. Most bursts are clean, and a savepoint per handler costs as
   much as the handler's own statements.
2. When a handler fails or refuses (it raised), its writes cannot be undone alone: the batch is
   rolled back and run again with each handler in a savepoint of its own (the error middleware's),
   so that handler is undone alone and its sender gets a kind reply.
A batch that PostgreSQL aborts for a deadlock with another dispatcher's runs again at once.
Anything else that fails outside a handler (a database error while marking the id or queueing a reply)
rolls the whole batch back, and every message of it is then handled again alone, in a transaction
of its own: so one message's failure never affects another's."""

from __future__ import annotations

import enum
import logging
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Sequence

from sqlalchemy.orm import Session

from bot import texts
from bot.context import Context
from bot.contract.hygiene import clean_text
from bot.messages import InboundMessage, Reply
from bot.middleware import chain
from bot.middleware.cards import refresh_tapped_card
from bot.middleware.dedupe import DuplicateMessage, drop_duplicates
from bot.middleware.errors import HandlerRaised, reply_on_error
from bot.middleware.ignore_self import ignore_self
from bot.middleware.resolve import resolve_member_and_group
from bot.middleware.unknown_group import hint_unknown_group
from bot.routing import route
from storage.db import is_transient_conflict
from storage.repositories import ProcessedMessageRepository
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 3  # a batch the database aborted for a deadlock or serialization conflict

MIDDLEWARE = (
    ignore_self, drop_duplicates, resolve_member_and_group, hint_unknown_group, refresh_tapped_card, reply_on_error,
)


class Outcome(enum.Enum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    FAILED = "failed"  # nothing of the message kept, its id left unmarked; the sender was told to resend


@dataclass(frozen=True)
class DispatchResult:
    outcome: Outcome
    replies: tuple[Reply, ...] = ()
    # one list per queued outbox row, holding its id once written (a batch writes its replies
    # together, just before its commit)
    outbox_slots: tuple[list[int], ...] = field(default=())
    error: BaseException | None = None

    @property
    def outbox_ids(self) -> tuple[int, ...]:
        return tuple(row_id for slot in self.outbox_slots for row_id in slot)


class Dispatcher:
    def __init__(self, app: App) -> None:
        self._app = app
        self._pipeline = chain(MIDDLEWARE, route)
        self._unsent: list[tuple[InboundMessage, Reply]] = []  # busy replies the database refused
        self._unsent_lock = threading.Lock()

    def handle(self, message: InboundMessage) -> DispatchResult:
        """One message in its own transaction (a batch of one); never raises (a failure is a
        FAILED result)."""
        return self.handle_batch([message])[0]

    def handle_batch(self, messages: Sequence[InboundMessage]) -> list[DispatchResult]:
        """Messages ready at the same moment: one transaction, one commit (see the module's text).

        Results come back in the order of `messages`; a message that failed outside its handler
        comes back FAILED (with the error) and nothing of it is kept but the busy reply.
        """
        messages = [clean_inbound(message) for message in messages]
        for isolate_handlers in (False, True):
            try:  # everything, the rollback of a connection that broke included: never raises
                return self._run_batch(messages, isolate_handlers)
            except HandlerRaised:  # the optimistic run met a failing handler: again, a savepoint each
                continue
            except Exception as error:
                if len(messages) == 1:  # alone again, it would only repeat the same work
                    log.exception("pipeline failed on %s message %s", messages[0].platform, messages[0].message_id)
                    return [self._busy(messages[0], error)]
                log.warning("a batch of %d messages failed outside a handler; handling them one by one",
                            len(messages), exc_info=True)
                break
        return [self._handle_alone(message) for message in messages]

    def _run_batch(self, messages: Sequence[InboundMessage], isolate_handlers: bool) -> list[DispatchResult]:
        """One transaction for the batch, committed; anything that fails rolls all of it back.

        Two dispatchers whose batches hold the same keys (one cadre's double tap in both, a card
        tapped twice) can wait on each other; PostgreSQL then aborts one transaction. That one is
        not the senders' fault and is run again at once, up to `CONFLICT_RETRIES` times."""
        for _ in range(CONFLICT_RETRIES):
            try:
                return self._run_batch_once(messages, isolate_handlers)
            except Exception as error:
                if not is_transient_conflict(error):
                    raise
                log.warning("a batch of %d messages met a concurrent transaction (%s); running it again",
                            len(messages), type(getattr(error, "orig", error)).__name__)
        return self._run_batch_once(messages, isolate_handlers)  # the last try: whatever fails, raises

    def _run_batch_once(self, messages: Sequence[InboundMessage], isolate_handlers: bool) -> list[DispatchResult]:
        with UnitOfWork(self._app.session_factory) as uow:
            new_ids = self._record_ids(uow.session, messages)
            results = [self._run(uow.session, message, isolate_handlers, new_ids) for message in messages]
            uow.commit()
        return results

    def _handle_alone(self, message: InboundMessage) -> DispatchResult:
        """A message of a failed batch, in a transaction of its own with its handler in a savepoint."""
        try:
            return self._run_batch([message], isolate_handlers=True)[0]
        except Exception as error:
            log.exception("pipeline failed on %s message %s", message.platform, message.message_id)
            return self._busy(message, error)

    def _record_ids(self, session: Session, messages: Sequence[InboundMessage]) -> set[tuple[str, str]]:
        """The batch's message ids as processed, in one statement; the ones that were new (the bot's
        own messages are dropped unrecorded, as `handle` does)."""
        keys = [(message.platform, message.message_id) for message in messages if not message.from_bot]
        return ProcessedMessageRepository(session).mark_new_many(keys, self._app.clock.now())

    def _run(
        self, session: Session, message: InboundMessage, isolate_handler: bool, batch_new_ids: set[tuple[str, str]],
    ) -> DispatchResult:
        """The middleware chain and the handler, then the replies into the outbox (no commit)."""
        ctx = Context.for_message(
            self._app, session, message, isolate_handler=isolate_handler, batch_new_ids=batch_new_ids
        )
        try:
            replies = self._pipeline(ctx)
        except DuplicateMessage:
            return DispatchResult(Outcome.DUPLICATE)
        self._queue_unsent(ctx)
        slots = [
            slot
            for reply in replies
            for slot in self._queue_reply(ctx, reply)
        ]
        return DispatchResult(Outcome.HANDLED, tuple(replies), tuple(slots))

    @staticmethod
    def _queue_reply(ctx: Context, reply: Reply) -> list[list[int]]:
        """A reply's outbox rows: written at once where savepoints may undo work, held back for
        the batch's one multi-row INSERT in an optimistic run (storage: OutboxRepository)."""
        message = ctx.message
        where = dict(platform=message.platform, chat_id=message.chat_id, reply_ref=message.reply_ref)
        if not ctx.isolate_handler:
            return ctx.outbox.enqueue_later(reply, **where)
        row_id = ctx.outbox.enqueue(reply, **where)
        return [[row_id]] if row_id is not None else []

    def _busy(self, message: InboundMessage, error: BaseException) -> DispatchResult:
        """Tell the sender to resend, in a transaction of its own (the message stays unmarked). When
        the database refuses even that, the reply waits in memory for the next message's commit."""
        reply = Reply(texts.BUSY)
        try:
            with UnitOfWork(self._app.session_factory) as uow:
                row_id = Context.for_message(self._app, uow.session, message).outbox.enqueue(
                    reply, platform=message.platform, chat_id=message.chat_id, reply_ref=message.reply_ref
                )
                uow.commit()
            return DispatchResult(Outcome.FAILED, (reply,), ([row_id],) if row_id else (), error=error)
        except Exception:
            log.exception("could not queue the busy reply for message %s", message.message_id)
            with self._unsent_lock:
                self._unsent.append((message, reply))
            return DispatchResult(Outcome.FAILED, (reply,), error=error)

    def _queue_unsent(self, ctx: Context) -> None:
        if not self._unsent:
            return
        with self._unsent_lock:
            unsent, self._unsent = self._unsent, []
        for message, reply in unsent:
            ctx.outbox.enqueue(reply, platform=message.platform, chat_id=message.chat_id, reply_ref=message.reply_ref)


def clean_inbound(message: InboundMessage) -> InboundMessage:
    """The edge: text and sender name without NUL, control, zero-width or bidi characters, trimmed."""
    text, name = clean_text(message.text), clean_text(message.sender_name)
    if text == message.text and name == message.sender_name:
        return message
    return replace(message, text=text, sender_name=name)
