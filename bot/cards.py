"""Tap cards: a card's key names what it shows (`checkin_<village>_<day>`, `vote_<id>`,
`notice_<id>`); each family registers a renderer for its prefix that draws the card as it is now.
After a tap is handled like the typed command, the card is redrawn (see middleware/cards.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping

from bot.messages import Reply

if TYPE_CHECKING:
    from bot.context import Context

CardRenderer = Callable[["Context", str], "Reply | None"]  # (ctx, the key after its prefix) → card

__all__ = ["CardBook", "CardRenderer"]


class CardBook:
    def __init__(self, renderers: Mapping[str, CardRenderer]) -> None:
        self._renderers = dict(renderers)

    def render(self, ctx: Context, key: str) -> Reply | None:
        """The card `key` names, drawn now; None for a key nobody knows (it came from a platform)."""
        prefix, _, rest = key.partition("_")
        renderer = self._renderers.get(prefix)
        return renderer(ctx, rest) if renderer is not None else None
