"""China's national working calendar, one year at a time, from the best source there is:

1. a yearly schedule file the operator supplied (`data_dir/calendar/<year>.json` in the holiday-cn
   layout, or `<year>.toml`), written by `cadrebot calendar import` — it overrides the package;
2. the `chinese-calendar` package, for the years it knows;
3. otherwise a *provisional* year: weekends plus the statutory holidays by rule (the `holidays`
   package's China calendar: fixed dates and the lunar festivals, without 调休 makeup days).
   Everything counted from a provisional year is marked `PROVISIONAL` so nobody mistakes it for
   the State Council's schedule, and nothing stored is derived from it for good: counts are
   recomputed from check-ins whenever they are asked for.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar
import holidays as holiday_rules

from bot.errors import UserError

__all__ = [
    "CalendarFileError", "FILE", "NationalCalendar", "PACKAGE", "PROVISIONAL", "PROVISIONAL_MARK",
    "YearSchedule", "days_between", "parse_schedule", "provisional_mark", "save_schedule",
]

FILE, PACKAGE, PROVISIONAL = "file", "package", "provisional"
PROVISIONAL_MARK = "（暂定：{year} 年放假安排未发布）"

PACKAGE_NAMES = {  # chinese-calendar names its holidays in English
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
UNREADABLE = "读不了日历文件 {name}（不存在，或不是 UTF-8 文本）"
BAD_JSON = "日历文件不是有效的 JSON：{error}"
BAD_TOML = "日历文件不是有效的 TOML：{error}"
BAD_SUFFIX = "日历文件要用 .json（holiday-cn 格式）或 .toml：{name}"
NO_YEAR = "日历文件缺少年份（year）"
BAD_DAY = "日历文件里的日期「{text}」不对，应写成 2027-01-01"
OTHER_YEAR = "日历文件是 {year} 年的，但 {day} 不在这一年"
BOTH = "{day} 既写成放假又写成上班"
NO_DAYS = "日历文件里没有任何放假或调休上班的日期"


class CalendarFileError(UserError):
    """A yearly schedule file cannot be used; the message says why, in Chinese."""


@dataclass(frozen=True)
class YearSchedule:
    """The national days off and makeup workdays of one year, and where they came from."""

    year: int
    source: str  # FILE | PACKAGE | PROVISIONAL
    days_off: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # 调休: weekend days that are worked
    names: dict[date, str] = field(default_factory=dict, compare=False)

    @property
    def provisional(self) -> bool:
        return self.source == PROVISIONAL

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day not in self.days_off and day.weekday() < 5


def provisional_mark(years) -> str:
    """The mark for every text that counts days of a provisional year ('' when there is none)."""
    return "".join(PROVISIONAL_MARK.format(year=year) for year in sorted(set(years)))


class NationalCalendar:
    """The yearly schedules, read from the data directory's `calendar/` folder. Build one per
    question (`calendar_for` does): files are parsed once per modification time, so an import is
    seen at once by a running bot."""

    def __init__(self, data_dir: str | Path) -> None:
        self.folder = Path(data_dir) / "calendar"
        self._years: dict[int, YearSchedule] = {}  # one question (a message, a job run) looks once

    def year(self, year: int) -> YearSchedule:
        if year not in self._years:
            self._years[year] = self._find(year)
        return self._years[year]

    def _find(self, year: int) -> YearSchedule:
        for suffix in (".json", ".toml"):
            path = self.folder / f"{year}{suffix}"
            if path.exists():
                return _load_file(str(path), path.stat().st_mtime_ns)
        return _package_year(year) or _provisional_year(year)

    def is_workday(self, day: date) -> bool:
        return self.year(day.year).is_workday(day)


def parse_schedule(path: str | Path) -> YearSchedule:
    """Read a schedule file (holiday-cn JSON or the simple TOML form); CalendarFileError if bad."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise CalendarFileError(UNREADABLE.format(name=path)) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CalendarFileError(BAD_JSON.format(error=error)) from None
        return _from_holiday_cn(data)
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise CalendarFileError(BAD_TOML.format(error=error)) from None
        return _from_toml(data)
    raise CalendarFileError(BAD_SUFFIX.format(name=path.name))


def save_schedule(schedule: YearSchedule, data_dir: str | Path) -> Path:
    """Write the schedule as `calendar/<year>.json` in the holiday-cn layout; returns the path."""
    folder = Path(data_dir) / "calendar"
    folder.mkdir(parents=True, exist_ok=True)
    days = [{"name": schedule.names.get(day, ""), "date": day.isoformat(), "isOffDay": True}
            for day in schedule.days_off]
    days += [{"name": schedule.names.get(day, ""), "date": day.isoformat(), "isOffDay": False}
             for day in schedule.workdays]
    days.sort(key=lambda entry: entry["date"])
    path = folder / f"{schedule.year}.json"
    path.write_text(json.dumps({"year": schedule.year, "days": days}, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / f"{schedule.year}.toml").unlink(missing_ok=True)  # one file per year: the newest wins
    return path


# --- the sources -------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _load_file(path: str, _mtime_ns: int) -> YearSchedule:
    return parse_schedule(path)


@lru_cache(maxsize=64)
def _package_year(year: int) -> YearSchedule | None:
    days_off = {day for day in chinese_calendar.holidays if day.year == year}
    workdays = {day for day in chinese_calendar.workdays if day.year == year and day.weekday() >= 5}
    if not days_off:
        return None
    names = {day: PACKAGE_NAMES.get(str(chinese_calendar.holidays[day]), "") for day in days_off}
    return YearSchedule(year, PACKAGE, frozenset(days_off), frozenset(workdays), names)


@lru_cache(maxsize=64)
def _provisional_year(year: int) -> YearSchedule:
    """Weekends plus the statutory holidays by rule; 调休 cannot be guessed, so there are none."""
    rules = holiday_rules.country_holidays("CN", years=year, language="zh_CN")
    names = {day: name for day, name in rules.items() if day.year == year}
    return YearSchedule(year, PROVISIONAL, frozenset(names), frozenset(), names)


# --- file layouts ------------------------------------------------------------------------------


def _from_holiday_cn(data) -> YearSchedule:
    """{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}"""
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise CalendarFileError(NO_YEAR)
    off, on, names = set(), set(), {}
    for entry in data.get("days") or []:
        if not isinstance(entry, dict):
            raise CalendarFileError(BAD_DAY.format(text=entry))
        day = _day(entry.get("date"))
        (off if entry.get("isOffDay", True) else on).add(day)
        names[day] = str(entry.get("name") or "")
    return _checked(data["year"], off, on, names)


def _from_toml(data: dict) -> YearSchedule:
    """year = 2027 / days_off = [2027-01-01, …] / workdays = [2027-02-20, …] / [names] "春节" = [..]"""
    if not isinstance(data.get("year"), int):
        raise CalendarFileError(NO_YEAR)
    off = {_day(value) for value in data.get("days_off", [])}
    on = {_day(value) for value in data.get("workdays", [])}
    names = {}
    for name, days in (data.get("names") or {}).items():
        for value in days:
            names[_day(value)] = name
    return _checked(data["year"], off, on, names)


def _checked(year: int, off: set[date], on: set[date], names: dict[date, str]) -> YearSchedule:
    if not off and not on:
        raise CalendarFileError(NO_DAYS)
    for day in sorted(off | on):
        if day.year != year:
            raise CalendarFileError(OTHER_YEAR.format(year=year, day=day.isoformat()))
    if off & on:
        raise CalendarFileError(BOTH.format(day=min(off & on).isoformat()))
    return YearSchedule(year, FILE, frozenset(off), frozenset(on), names)


def _day(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CalendarFileError(BAD_DAY.format(text=value)) from None


def days_between(first: date, last: date):
    """Every day from `first` to `last`, both included."""
    return (first + timedelta(days=n) for n in range((last - first).days + 1))
