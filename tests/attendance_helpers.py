"""Helpers for the attendance tests: October 2026, a real month with the National Day holiday
(1, 2, 5, 6, 7 October off) and a 调休 working Saturday (10 October). Its workdays are the 8th,
9th, 10th (Saturday), 12th–16th, 19th–23rd and 26th–30th: 18 in all."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import TZ

OCTOBER_WORKDAYS = 18
MAKEUP_SATURDAY = date(2026, 10, 10)


def at(clock, day: date, hour: int = 8, minute: int = 0) -> None:
    clock.set(datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ))


def chat(world, chat_id: str = "wx-yazhuang"):
    """The test's one Chat per group, so each read returns only what is new since the last."""
    chats = world.__dict__.setdefault("_attendance_chats", {})
    if chat_id not in chats:
        chats[chat_id] = world.chat(chat_id)
    return chats[chat_id]


def check_in(world, clock, day: date, *senders: str, hour: int = 8, minute: int = 0) -> None:
    """Each sender checks in on `day` (WeCom senders in 雅庄村's group, DingTalk in 莲湖村's)."""
    at(clock, day, hour, minute)
    for sender in senders:
        group = chat(world, "dt-lianhu" if sender in ("liuy", "zhaol") else "wx-yazhuang")
        assert "打卡成功" in group.reply("/打卡", sender)
