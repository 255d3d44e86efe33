"""Cross-cutting steps around every inbound message, one concern per module, run in order:
ignore the bot's own messages, drop duplicate ids, resolve the member and group, catch errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from bot.messages import Reply

if TYPE_CHECKING:
    from bot.context import Context

Next = Callable[["Context"], list[Reply]]
Middleware = Callable[["Context", Next], list[Reply]]

__all__ = ["Middleware", "Next", "chain"]


def chain(middlewares: Sequence[Middleware], endpoint: Next) -> Next:
    """Compose middlewares so the first in the list runs outermost."""
    handler = endpoint
    for middleware in reversed(middlewares):
        handler = _bind(middleware, handler)
    return handler


def _bind(middleware: Middleware, call_next: Next) -> Next:
    return lambda ctx: middleware(ctx, call_next)
