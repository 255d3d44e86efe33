"""After a card button tap has been handled like the typed command, redraw the card it came from
("已打卡 12/15", running vote counts), as one more reply marked as a card update."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.middleware import Next

log = logging.getLogger(__name__)


def refresh_tapped_card(ctx, call_next: Next):
    replies = call_next(ctx)
    tap = ctx.message.tap if ctx.message is not None else None
    if tap is None or not tap.card_key or ctx.cards is None:
        return replies
    try:
        with ctx.session.begin_nested():  # a card that cannot be drawn must not undo the tap's effect
            card = ctx.cards.render(ctx, tap.card_key)
    except Exception:
        log.exception("card %s could not be redrawn", tap.card_key)
        return replies
    if card is None or card.card is None:
        return replies
    return [*replies, replace(card, card=replace(card.card, update=True))]
