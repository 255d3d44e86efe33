"""Typed argument specs, in the spirit of click's `ParamType.convert`: each spec is declared once
(name, Chinese label, limits) and converts one word of the message (or the rest of it) into a
typed value, or raises `ArgError` with one Chinese line. Parsing of a whole call is in `parse.py`.

Numbers and dates accept full-width digits (１２), `#12`, Chinese forms (11月25日, 11月25号,
2026年11月25日, 今天/明天/后天, 十一月二十五日, 14点30分, 下午3点半, 30分钟, 2小时, 半小时).
A date typed without a year is the one nearest to today: on 28 December `1-5` is next January.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, Mapping

from bot.contract import texts
from bot.contract.hygiene import excerpt, fold_width, normalize_name
from bot.contract.readers import N, cn_number, read_day, read_time

__all__ = [
    "Arg", "ArgError", "Id", "Int", "Date", "Month", "Time", "Duration", "Name", "Choice", "Text",
    "AnyOf", "MAX_ID",
]

MAX_ID = 2**31 - 1  # the largest integer primary key on both databases

class ArgError(ValueError):
    """An argument that cannot be read; the message is one Chinese line for the user."""


@dataclass(frozen=True)
class Arg:
    """One argument of a command.

    name:     the key in `ctx.params` (English identifier)
    label:    what the user reads in usage and errors (Chinese)
    optional: may be left out (then `default`)
    key:      non-empty → a keyword argument written `主题：安全生产` or `截止 20:00`, anywhere
    """

    name: str
    label: str = ""
    optional: bool = False
    default: Any = None
    key: tuple[str, ...] = ()

    greedy = False  # True: takes the rest of the text (free text)
    kind = "参数"  # what kind of value, for error texts

    def convert(self, text: str, today: date) -> Any:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    @property
    def shown(self) -> str:
        return self.label or self.name

    def bad(self, text: str, hint: str = "") -> ArgError:
        """`「下周」不是日期，请写成 …。` (the kind when the label names it, else the label)."""
        label = self.kind if self.shown.endswith(self.kind) else "有效的" + self.shown
        return ArgError(texts.BAD_ARG.format(text=excerpt(text), label=label, hint=hint or self.hint))

    hint = ""


def _digits(text: str) -> str | None:
    text = fold_width(text).strip()
    return text if text.isascii() and text.isdigit() else None


@dataclass(frozen=True)
class Int(Arg):
    """A whole number between `min` and `max`; an optional unit after it (`90天`) is accepted."""

    min: int = 0
    max: int = 10_000
    unit: str = ""
    kind = "数字"

    @property
    def hint(self) -> str:
        return texts.HINT_INT.format(min=self.min, max=self.max, unit=self.unit)

    def convert(self, text: str, today: date) -> int:
        raw = fold_width(text).strip()
        if self.unit and raw.endswith(self.unit):
            raw = raw[: -len(self.unit)]
        digits = _digits(raw)
        if digits is None or len(digits) > 12:
            raise self.bad(text)
        value = int(digits)
        if not self.min <= value <= self.max:
            raise self.bad(text)
        return value


@dataclass(frozen=True)
class Id(Arg):
    """The number of a record (`12`, `#12`, `＃１２`), between 1 and the largest key."""

    kind = "编号"
    hint = texts.HINT_ID

    def convert(self, text: str, today: date) -> int:
        digits = _digits(fold_width(text).strip().lstrip("#"))
        if digits is None or len(digits) > 10 or not 1 <= int(digits) <= MAX_ID:
            raise self.bad(text)
        return int(digits)


@dataclass(frozen=True)
class Date(Arg):
    """A day: 11-25, 11/25, 11.25, 11月25日, 11月25号, 2026-11-25, 2026年11月25日, 20261125,
    今天/明天/后天/昨天, 十一月二十五日; within `past_days` before and `future_days` after today."""

    past_days: int = 366
    future_days: int = 366
    kind = "日期"
    hint = texts.HINT_DATE

    def convert(self, text: str, today: date) -> date:
        day = read_day(text, today)
        if day is None:
            raise self.bad(text)
        if not -self.past_days <= (day - today).days <= self.future_days:
            raise ArgError(texts.DATE_OUT_OF_RANGE.format(text=excerpt(text), past=self.past_days, future=self.future_days))
        return day


_MONTH = re.compile(rf"^(?:({N}{{4}})[-/.年])?({N}{{1,3}})月?(?:份)?$")


@dataclass(frozen=True)
class Month(Arg):
    """A month: 2026-11, 2026年11月, 11月, 十一月, 本月, 上月. Without a year: the latest such month
    that has begun (`2月` typed in November is this February; in January, last February)."""

    years_back: int = 10
    kind = "月份"
    hint = texts.HINT_MONTH

    def convert(self, text: str, today: date) -> tuple[int, int]:
        raw = fold_width(text).strip()
        if raw in ("本月", "这个月"):
            return today.year, today.month
        if raw in ("上月", "上个月"):
            return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        match = _MONTH.match(raw)
        if not match or (not match.group(1) and not raw.rstrip("份").endswith("月")):
            raise self.bad(text)
        year = cn_number(match.group(1)) if match.group(1) else None
        month = cn_number(match.group(2))
        if month is None or not 1 <= month <= 12 or (match.group(1) and year is None):
            raise self.bad(text)
        if year is None:
            year = today.year if month <= today.month else today.year - 1
        if not today.year - self.years_back <= year <= today.year + 1:
            raise ArgError(texts.MONTH_OUT_OF_RANGE.format(text=excerpt(text)))
        return year, month


@dataclass(frozen=True)
class Time(Arg):
    """A time of day: 14:30, 14点, 14点30分, 下午3点, 上午9点半."""

    kind = "时间"
    hint = texts.HINT_TIME

    def convert(self, text: str, today: date) -> time:
        moment = read_time(text)
        if moment is None:
            raise self.bad(text)
        return moment


_DURATION = re.compile(r"^(\d{1,12}|半)\s*(分钟|分|小时|个小时|钟头|天|min|h|d)$")
_UNITS = {"分钟": 1, "分": 1, "min": 1, "小时": 60, "个小时": 60, "钟头": 60, "h": 60, "天": 1440, "d": 1440}


@dataclass(frozen=True)
class Duration(Arg):
    """A span: 30分钟, 2小时, 半小时, 1天; between 1 minute and `max_minutes`."""

    max_minutes: int = 7 * 24 * 60
    kind = "时长"

    @property
    def longest(self) -> str:
        minutes = self.max_minutes
        if minutes % 1440 == 0:
            return f"{minutes // 1440} 天"
        return f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"

    @property
    def hint(self) -> str:
        return texts.HINT_DURATION.format(longest=self.longest)

    def convert(self, text: str, today: date) -> timedelta:
        match = _DURATION.match(fold_width(text).strip().lower())
        if not match:
            raise self.bad(text)
        amount, unit = match.groups()
        minutes = 30 if amount == "半" and _UNITS[unit] == 60 else (int(amount) * _UNITS[unit] if amount != "半" else 0)
        if not 1 <= minutes <= self.max_minutes:
            raise ArgError(texts.DURATION_OUT_OF_RANGE.format(text=excerpt(text), longest=self.longest))
        return timedelta(minutes=minutes)


@dataclass(frozen=True)
class AnyOf(Arg):
    """The first of several specs that reads the word (e.g. a deadline: a time or a duration)."""

    choices: tuple[Arg, ...] = ()
    hint_text: str = ""

    @property
    def hint(self) -> str:
        return self.hint_text or "；或".join(c.hint.lstrip("，") for c in self.choices)

    def convert(self, text: str, today: date) -> Any:
        for choice in self.choices:
            try:
                return choice.convert(text, today)
            except ArgError:
                continue
        raise self.bad(text)


@dataclass(frozen=True)
class Name(Arg):
    """A person's, village's or short title's name: normalised (no spaces, NFKC), 1..max_len chars."""

    max_len: int = 32
    kind = "名称"

    @property
    def hint(self) -> str:
        return texts.HINT_NAME.format(max=self.max_len)

    def convert(self, text: str, today: date) -> str:
        name = normalize_name(text)
        if not name:
            raise self.bad(text)
        if len(name) > self.max_len:
            raise ArgError(texts.TOO_LONG.format(label=self.shown, max=self.max_len, text=excerpt(text)))
        return name


@dataclass(frozen=True)
class Choice(Arg):
    """One of a fixed set of words; `values` maps each accepted word to the value handlers get."""

    values: Mapping[str, Any] = field(default_factory=dict)
    kind = "选项"

    @property
    def hint(self) -> str:
        return texts.HINT_CHOICE.format(choices="、".join(self.values))

    def convert(self, text: str, today: date) -> Any:
        word = fold_width(text).strip()
        if word not in self.values:
            raise self.bad(text)
        return self.values[word]


@dataclass(frozen=True)
class Text(Arg):
    """Free text: the rest of the message (or one word with `word=True`), trimmed, `min_len`..`max_len`."""

    max_len: int = 500
    min_len: int = 1
    word: bool = False
    kind = "文字"

    @property
    def greedy(self) -> bool:  # type: ignore[override]
        return not self.word

    @property
    def hint(self) -> str:
        return texts.HINT_TEXT.format(max=self.max_len)

    def convert(self, text: str, today: date) -> str:
        value = text.strip()
        if len(value) < self.min_len:
            raise self.bad(text)
        if len(value) > self.max_len:
            raise ArgError(texts.TOO_LONG.format(label=self.shown, max=self.max_len, text=excerpt(text)))
        return value

