"""Reading the dates and months cadres type: `11-25`, `11/25`, `11.25`, `11月25日`, `2026-11-25`;
months as `2026-11`, `11月`, `2026年11月`. A day without a year is the one nearest to today;
a month without a year is the latest one that has begun."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["parse_day", "parse_month", "show_day"]

_DAY = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")
_MONTH = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})月?$")


def parse_day(text: str, today: date) -> date | None:
    match = _DAY.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if year:
            return date(int(year), int(month), int(day))
        return _nearest(today, lambda y: date(y, int(month), int(day)))
    except ValueError:
        return None


def parse_month(text: str, today: date) -> tuple[int, int] | None:
    match = _MONTH.match(text.strip())
    if not match or (not match.group(1) and not text.strip().endswith("月")):
        return None
    year, month = match.groups()
    if not 1 <= int(month) <= 12:
        return None
    if year:
        return int(year), int(month)
    # a report is about a month that has begun: `2月` typed in November is this February
    year = today.year if int(month) <= today.month else today.year - 1
    return year, int(month)


def show_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _nearest(today: date, make) -> date:
    """The candidate in last, this or next year closest to today (11-25 typed in December is this
    year's; 1-3 typed in December is next year's)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(make(year))
        except ValueError:
            continue
    if not candidates:
        raise ValueError("no such day")
    return min(candidates, key=lambda d: abs((d - today).days))
