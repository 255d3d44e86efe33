"""Platforms retry callbacks: a message id already handled is dropped, and this one is recorded in
the same transaction as its effects. When retries arrive at the same moment, the unique
(platform, message_id) pair decides: the loser's insert fails (on PostgreSQL it waits for the
winner's commit) and it is dropped as a duplicate."""

from sqlalchemy.exc import IntegrityError

from bot.middleware import Next
from storage.repositories import ProcessedMessageRepository


class DuplicateMessage(Exception):
    """The message id was handled before; nothing more is done."""


def drop_duplicates(ctx, call_next: Next):
    message = ctx.message
    processed = ProcessedMessageRepository(ctx.session)
    if processed.seen(message.platform, message.message_id):
        raise DuplicateMessage(message.message_id)
    try:
        processed.mark(message.platform, message.message_id, ctx.now())
    except IntegrityError as race_lost:
        raise DuplicateMessage(message.message_id) from race_lost
    return call_next(ctx)
