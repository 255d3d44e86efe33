"""Platforms retry callbacks: a message id already handled is dropped, and this one is recorded in
the same transaction as its effects (the unique (platform, message_id) pair guards races)."""

from bot.middleware import Next
from storage.repositories import ProcessedMessageRepository


class DuplicateMessage(Exception):
    """The message id was handled before; nothing more is done."""


def drop_duplicates(ctx, call_next: Next):
    message = ctx.message
    processed = ProcessedMessageRepository(ctx.session)
    if processed.seen(message.platform, message.message_id):
        raise DuplicateMessage(message.message_id)
    processed.mark(message.platform, message.message_id, ctx.now())
    return call_next(ctx)
