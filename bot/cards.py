"""Tap cards: a card's key names what it shows (`checkin_<village>_<YYYYMMDD>`, `vote_<id>`,
`notice_<id>`); each family registers a renderer for its prefix that draws the card as it is now.
After a tap is handled like the typed command, the card is redrawn (see middleware/cards.py).

A key comes back from the platform with the tap, so it is read as untrusted input: `CardKey` builds
the keys the bot sends and reads them back strictly (ASCII digits, ids within the database's
range, real days), and `CardBook` draws nothing for a key that does not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Callable, Mapping

from bot.contract.args import MAX_ID
from bot.messages import Reply

if TYPE_CHECKING:
    from bot.context import Context

CardRenderer = Callable[["Context", str], "Reply | None"]  # (ctx, the key after its prefix) → card

__all__ = ["CHECKIN_CARD", "CardBook", "CardKey", "CardKeyError", "CardRenderer", "NOTICE_CARD", "VOTE_CARD"]

_ID = re.compile(r"[1-9][0-9]{0,9}")
_DAY = re.compile(r"[0-9]{8}")


class CardKeyError(ValueError):
    """A card key that is not one the bot makes (a platform's, a forged or a truncated one)."""


@dataclass(frozen=True)
class CardKey:
    """One kind of card key: a prefix and typed parts, `int` (an id) or `date`, joined by `_`."""

    prefix: str
    parts: tuple[type, ...]

    def __init__(self, prefix: str, *parts: type) -> None:
        if not prefix.isascii() or not prefix.isalpha() or any(p not in (int, date) for p in parts):
            raise ValueError(f"a card key is a letters-only prefix and int or date parts, not {prefix!r} {parts}")
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "parts", parts)

    def build(self, *values: int | date) -> str:
        """The key of the card showing `values` (refused when they could not be read back)."""
        if len(values) != len(self.parts):
            raise ValueError(f"{self.prefix} card key takes {len(self.parts)} values, got {values!r}")
        key = "_".join([self.prefix, *(_show(kind, value) for kind, value in zip(self.parts, values))])
        self.parse(key.removeprefix(self.prefix + "_"))  # what is built always reads back
        return key

    def parse(self, rest: str) -> tuple[int | date, ...]:
        """The values of a key after its prefix (`"12"` → `(12,)`); CardKeyError when it does not read."""
        words = rest.split("_")
        if len(words) != len(self.parts):
            raise CardKeyError(f"{self.prefix} card key {rest!r}: {len(self.parts)} parts expected")
        return tuple(_read(kind, word, self.prefix) for kind, word in zip(self.parts, words))


def _show(kind: type, value: int | date) -> str:
    if kind is date and isinstance(value, date):
        return f"{value:%Y%m%d}"
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{value!r} is not a card key {kind.__name__}")


def _read(kind: type, word: str, prefix: str) -> int | date:
    try:
        if kind is int and _ID.fullmatch(word) and int(word) <= MAX_ID:
            return int(word)
        if kind is date and _DAY.fullmatch(word):
            return date(int(word[:4]), int(word[4:6]), int(word[6:]))
    except ValueError:  # 2026-13-40
        pass
    raise CardKeyError(f"{prefix} card key part {word!r} is not a {kind.__name__}")


CHECKIN_CARD = CardKey("checkin", int, date)  # the morning reminder: village id, day
VOTE_CARD = CardKey("vote", int)  # vote id
NOTICE_CARD = CardKey("notice", int)  # notice id


class CardBook:
    def __init__(self, renderers: Mapping[str, CardRenderer]) -> None:
        self._renderers = dict(renderers)

    def render(self, ctx: Context, key: str) -> Reply | None:
        """The card `key` names, drawn now; None for a key nobody knows or that does not read."""
        prefix, _, rest = key.partition("_")
        renderer = self._renderers.get(prefix)
        if renderer is None:
            return None
        try:
            return renderer(ctx, rest)
        except CardKeyError:
            return None
