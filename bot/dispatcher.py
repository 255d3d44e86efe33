"""The dispatcher: an inbound message → the processed-id mark, the handler's effects and the
replies queued in the outbox, all in one transaction. Adapters call `handle` and ack.

`handle_batch` handles messages that are ready at the same moment in ONE transaction: they share
one commit (the dominant cost of a burst of `/打卡`). Each handler runs in its own savepoint (the
error middleware's), so a handler that fails or refuses is undone alone and its sender gets a kind
reply. Anything that fails outside a handler (a database error while marking the id or queueing a
reply) rolls the whole batch back, and every message of it is then handled again alone, in a
transaction of its own: so one message's failure never affects another's, and the failed one keeps
nothing — not even its processed-id mark — and may be handed over again. The optimistic path
avoids a second savepoint per message, which costs more than the message's own statements."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.context import Context
from bot.messages import InboundMessage, Reply
from bot.middleware import chain
from bot.middleware.dedupe import DuplicateMessage, drop_duplicates
from bot.middleware.errors import reply_on_error
from bot.middleware.ignore_self import ignore_self
from bot.middleware.resolve import resolve_member_and_group
from bot.routing import route
from storage.repositories import ProcessedMessageRepository
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

MIDDLEWARE = (ignore_self, drop_duplicates, resolve_member_and_group, reply_on_error)


class Outcome(enum.Enum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    FAILED = "failed"  # only from handle_batch: nothing of it was kept; it may be handled again


@dataclass(frozen=True)
class DispatchResult:
    outcome: Outcome
    replies: tuple[Reply, ...] = ()
    outbox_ids: tuple[int, ...] = field(default=())
    error: BaseException | None = None


class Dispatcher:
    def __init__(self, app: App) -> None:
        self._app = app
        self._pipeline = chain(MIDDLEWARE, route)

    def handle(self, message: InboundMessage) -> DispatchResult:
        """One message in its own transaction; an unexpected error is raised to the caller."""
        with UnitOfWork(self._app.session_factory) as uow:
            try:
                result = self._run(uow.session, message)
                if result.outcome is Outcome.HANDLED:
                    uow.commit()
            except IntegrityError:
                uow.rollback()
                if self._was_handled_meanwhile(message):
                    return DispatchResult(Outcome.DUPLICATE)
                raise
        return result

    def handle_batch(self, messages: Sequence[InboundMessage]) -> list[DispatchResult]:
        """Messages ready at the same moment: one transaction, one savepoint each, one commit.

        Results come back in the order of `messages`; a message that failed outside its handler
        comes back FAILED (with the error) and nothing of it is kept.
        """
        if len(messages) == 1:
            return [self._alone(messages[0])]
        with UnitOfWork(self._app.session_factory) as uow:
            try:
                results = [self._run(uow.session, message) for message in messages]
                uow.commit()
            except Exception:
                log.warning("a batch of %d messages failed outside a handler; handling them one by one",
                            len(messages), exc_info=True)
                uow.rollback()
            else:
                return results
        return [self._alone(message) for message in messages]

    def _alone(self, message: InboundMessage) -> DispatchResult:
        try:
            return self.handle(message)
        except Exception as error:
            log.exception("dispatch failed for %s message %s", message.platform, message.message_id)
            return DispatchResult(Outcome.FAILED, error=error)

    def _run(self, session: Session, message: InboundMessage) -> DispatchResult:
        """The middleware chain and the handler, then the replies into the outbox (no commit)."""
        ctx = Context.for_message(self._app, session, message)
        try:
            replies = self._pipeline(ctx)
        except DuplicateMessage:
            return DispatchResult(Outcome.DUPLICATE)
        rows = [
            ctx.outbox.enqueue(reply, platform=message.platform, chat_id=message.chat_id, reply_ref=message.reply_ref)
            for reply in replies
        ]
        return DispatchResult(Outcome.HANDLED, tuple(replies), tuple(row.id for row in rows if row))

    def _was_handled_meanwhile(self, message: InboundMessage) -> bool:
        """A concurrent delivery of the same id won the race on the unique constraint."""
        with UnitOfWork(self._app.session_factory) as uow:
            return _seen(uow.session, message)


def _seen(session: Session, message: InboundMessage) -> bool:
    return ProcessedMessageRepository(session).seen(message.platform, message.message_id)
