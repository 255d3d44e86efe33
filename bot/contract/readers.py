"""Reading the numbers, days and times cadres type, in Chinese and Arabic forms: 十一 → 11,
`11月25日`, `2026年11月25日`, `20261125`, `明天`, `14点30分`, `下午3点半`. Full-width forms are folded
first. Used by the typed argument specs in `args.py`."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from bot.contract.hygiene import fold_width

__all__ = ["N", "cn_number", "nearest_year", "read_day", "read_time"]

N = "[0-9零〇一二两三四五六七八九十]"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_RELATIVE_DAYS = {"前天": -2, "昨天": -1, "今天": 0, "明天": 1, "后天": 2}


def cn_number(text: str) -> int | None:
    """十一 → 11, 二十五 → 25, 三十一 → 31, 2026 → 2026 (ASCII digits pass through)."""
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


_DAY = re.compile(rf"^(?:({N}{{2,4}})[-/.年])?({N}{{1,3}})[-/.月]({N}{{1,3}})[日号]?$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def nearest_year(today: date, month: int, day: int) -> date:
    """The date with this month and day in last, this or next year that is closest to today."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValueError("no such day")
    return min(candidates, key=lambda d: abs((d - today).days))


def read_day(text: str, today: date) -> date | None:
    """A day as cadres type it, or None. Without a year: the nearest such day to today."""
    text = fold_width(text).strip()
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    match = _DAY.match(text) or _COMPACT_DAY.match(text)
    if not match:
        return None
    year_text, month_text, day_text = match.groups()
    year = cn_number(year_text) if year_text else None
    month, day = cn_number(month_text), cn_number(day_text)
    if month is None or day is None or (year_text and year is None):
        return None
    try:
        return date(year, month, day) if year is not None else nearest_year(today, month, day)
    except (ValueError, OverflowError):
        return None


_TIME = re.compile(rf"^(上午|早上|中午|下午|晚上)?({N}{{1,3}})(?:[:.点时]({N}{{0,3}}|半)分?)?$")


def read_time(text: str) -> time | None:
    """14:30, 14点, 14点30分, 14时30分, 下午3点, 上午9点半, 晚上8点; None when unreadable."""
    match = _TIME.match(fold_width(text).strip())
    if not match:
        return None
    period, hour_text, minute_text = match.groups()
    if hour_text is None:
        return None
    hour = cn_number(hour_text)
    minute = 30 if minute_text == "半" else (cn_number(minute_text) if minute_text else 0)
    if hour is None or minute is None:
        return None
    if period in ("下午", "晚上") and 1 <= hour < 12:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if ":" not in fold_width(text) and "." not in text and not period and not re.search(r"[点时]", text):
        return None  # a bare number is not a time
    return time(hour, minute)
