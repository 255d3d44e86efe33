"""Drop messages the bot itself (or another bot) sent, so it never answers itself."""

from bot.middleware import Next


def ignore_self(ctx, call_next: Next):
    if ctx.message.from_bot:
        return []
    return call_next(ctx)
