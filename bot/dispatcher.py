"""The dispatcher: an inbound message → the processed-id mark, the handler's effects and the
replies queued in the outbox, all in one transaction. Adapters call `handle` and ack.

`handle_batch` handles messages that are ready at the same moment in ONE transaction, each inside
its own savepoint: they share one commit (the dominant cost of a burst of `/打卡`), while one
message's failure rolls back only its own savepoint — its processed-id mark included, so the
inbox may hand it over again — and never touches another message's effects."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from sqlalchemy.exc import DBAPIError, IntegrityError
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

        Results come back in the order of `messages`. If the shared commit itself fails (the
        database went away), each message is retried alone so their fates stay separate.
        """
        with UnitOfWork(self._app.session_factory) as uow:
            results = [self._isolated(uow.session, message) for message in messages]
            try:
                uow.commit()
            except DBAPIError:
                log.exception("group commit of %d messages failed; handling them one by one", len(messages))
                uow.rollback()
                return [self._alone(message) for message in messages]
        return results

    def _isolated(self, session: Session, message: InboundMessage) -> DispatchResult:
        savepoint = session.begin_nested()
        try:
            result = self._run(session, message)
        except Exception as error:  # this message's own failure: undo only its savepoint
            savepoint.rollback()
            if isinstance(error, IntegrityError) and _seen(session, message):
                return DispatchResult(Outcome.DUPLICATE)
            log.exception("dispatch failed for %s message %s", message.platform, message.message_id)
            return DispatchResult(Outcome.FAILED, error=error)
        if result.outcome is Outcome.HANDLED:
            savepoint.commit()
        else:
            savepoint.rollback()
        return result

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
