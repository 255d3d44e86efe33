"""Platforms retry callbacks: a message id already handled is dropped. The dispatcher records the
ids of a batch (one message or many) in the same transaction as their effects, by one
`INSERT … ON CONFLICT DO NOTHING RETURNING` on the unique (platform, message_id) pair (no read
first); each message then claims its id from that answer (`ctx.batch_new_ids`), so an id given
twice in one batch is handled once too. When retries arrive at the same moment on PostgreSQL, the
second insert waits for the first transaction and inserts nothing if it committed."""

from bot.middleware import Next


class DuplicateMessage(Exception):
    """The message id was handled before; nothing more is done."""


def drop_duplicates(ctx, call_next: Next):
    if not _first_time(ctx):
        raise DuplicateMessage(ctx.message.message_id)
    return call_next(ctx)


def _first_time(ctx) -> bool:
    key = (ctx.message.platform, ctx.message.message_id)
    if key not in ctx.batch_new_ids:
        return False
    ctx.batch_new_ids.discard(key)
    return True
