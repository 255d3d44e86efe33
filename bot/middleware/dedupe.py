"""Platforms retry callbacks: a message id already handled is dropped, and this one is recorded in
the same transaction as its effects, by one `INSERT … ON CONFLICT DO NOTHING` on the unique
(platform, message_id) pair (no read first). When retries arrive at the same moment on PostgreSQL,
the second insert waits for the first transaction and inserts nothing if it committed."""

from bot.middleware import Next
from storage.repositories import ProcessedMessageRepository


class DuplicateMessage(Exception):
    """The message id was handled before; nothing more is done."""


def drop_duplicates(ctx, call_next: Next):
    message = ctx.message
    if not ProcessedMessageRepository(ctx.session).mark_new(message.platform, message.message_id, ctx.now()):
        raise DuplicateMessage(message.message_id)
    return call_next(ctx)
