"""Platforms retry callbacks: a message id already handled is dropped, and this one is recorded in
the same transaction as its effects, by one `INSERT … ON CONFLICT DO NOTHING` on the unique
(platform, message_id) pair (no read first). When retries arrive at the same moment on PostgreSQL,
the second insert waits for the first transaction and inserts nothing if it committed.

A batch (`Dispatcher.handle_batch`) records all its ids in one such statement first; each message
then claims its id from that answer (`ctx.batch_new_ids`), so an id given twice in one batch is
handled once too."""

from bot.middleware import Next
from storage.repositories import ProcessedMessageRepository


class DuplicateMessage(Exception):
    """The message id was handled before; nothing more is done."""


def drop_duplicates(ctx, call_next: Next):
    if not _first_time(ctx):
        raise DuplicateMessage(ctx.message.message_id)
    return call_next(ctx)


def _first_time(ctx) -> bool:
    message = ctx.message
    if ctx.batch_new_ids is None:
        return ProcessedMessageRepository(ctx.session).mark_new(message.platform, message.message_id, ctx.now())
    key = (message.platform, message.message_id)
    if key not in ctx.batch_new_ids:
        return False
    ctx.batch_new_ids.discard(key)
    return True
