"""Card keys come back from the platform with a tap, so they are read as untrusted input: the one
codec (bot/cards.py) builds the keys the bot sends and reads back only those, and a tap on a card
whose key does not read is handled like the typed command without redrawing any card."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

import pytest

from bot.cards import CHECKIN_CARD, NOTICE_CARD, VOTE_CARD
from bot.messages import Tap
from tests.factories import message


def test_a_key_reads_back_as_the_values_it_was_built_from():
    assert CHECKIN_CARD.build(3, date(2026, 11, 24)) == "checkin_3_20261124"
    assert CHECKIN_CARD.parse("3_20261124") == (3, date(2026, 11, 24))
    assert VOTE_CARD.build(2**31 - 1) == "vote_2147483647"
    assert VOTE_CARD.parse("2147483647") == (2**31 - 1,)
    assert NOTICE_CARD.parse(NOTICE_CARD.build(12).removeprefix("notice_")) == (12,)


@pytest.mark.parametrize("card, rest", [
    (VOTE_CARD, "١٢"),  # Arabic-Indic digits: int() reads them, str.isdigit() lets them through
    (VOTE_CARD, "²"),
    (VOTE_CARD, "012"),
    (VOTE_CARD, "0"),
    (VOTE_CARD, "2147483648"),  # past the database's integer ids (PostgreSQL would raise)
    (VOTE_CARD, "12_1"),
    (VOTE_CARD, ""),
    (NOTICE_CARD, "-1"),
    (NOTICE_CARD, " 12"),
    (CHECKIN_CARD, "3"),
    (CHECKIN_CARD, "3_2026124"),
    (CHECKIN_CARD, "3_20261324"),
    (CHECKIN_CARD, "x_20261124"),
])
def test_a_key_the_bot_did_not_make_does_not_read(card, rest):
    with pytest.raises(ValueError, match=f"{card.prefix} card key"):
        card.parse(rest)


@pytest.mark.parametrize("card, values", [
    (VOTE_CARD, (0,)), (VOTE_CARD, (2**31,)), (VOTE_CARD, (True,)), (VOTE_CARD, ("12",)),
    (CHECKIN_CARD, (3,)), (CHECKIN_CARD, (3, "20261124")),
])
def test_a_key_is_built_only_from_values_it_can_read_back(card, values):
    with pytest.raises(ValueError):
        card.build(*values)


@pytest.mark.parametrize("key", ["vote_١", "vote_99999999999", "vote_1_1", "vote_"])
def test_a_tap_with_a_forged_key_counts_like_the_typed_command_and_redraws_no_card(world, key, caplog):
    assert world.chat().reply("/表决 是否同意修建村道", "zhangjg").startswith("🗳")
    [counted, redrawn] = _tap(world, "vote_1", "lixy")  # the card's own key: the card is redrawn
    assert redrawn.card.update and "同意 1" in redrawn.text
    with caplog.at_level(logging.WARNING):
        replies = _tap(world, key, "wangw")
    assert [r.card for r in replies] == [None] and replies[0].text.startswith("✅ 王伟")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def _tap(world, key: str, sender: str):
    tap = replace(message("/同意", sender=sender, at=world.app.clock.now()), tap=Tap(key))
    return world.app.dispatcher.handle(tap).replies
