"""Which days a township works: China's national calendar (statutory holidays and 调休 makeup
workdays, year by year from `handlers.national_calendar`) plus the township's own extra days off
or on, which apply on top of whatever source the year comes from.

A year nobody has published yet is counted provisionally (weekends and statutory holidays by
rule) instead of refused; `provisional_years` tells callers which years to mark.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from bot.config import Settings
from handlers.national_calendar import NationalCalendar, days_between, provisional_mark

__all__ = ["WorkCalendar", "calendar_for", "month_days"]


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)
    national: NationalCalendar = field(default_factory=lambda: NationalCalendar("data"))

    def is_workday(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.extra_workdays:
            return True
        return self.national.is_workday(day)

    def workdays(self, first: date, last: date) -> list[date]:
        """Workdays from `first` to `last`, both included."""
        return [day for day in days_between(first, last) if self.is_workday(day)]

    def provisional_years(self, first: date, last: date) -> list[int]:
        """The years between `first` and `last` whose schedule is only provisional."""
        return [year for year in range(first.year, last.year + 1) if self.national.year(year).provisional]

    def mark(self, first: date, last: date | None = None) -> str:
        """'（暂定：2027 年放假安排未发布）' when a day counted lies in a provisional year, else ''."""
        return provisional_mark(self.provisional_years(first, last or first))


def calendar_for(settings: Settings, township_name: str) -> WorkCalendar:
    national = NationalCalendar(settings.data_dir)
    own = settings.attendance.calendars.get(township_name)
    if own is None:
        return WorkCalendar(national=national)
    return WorkCalendar(frozenset(own.days_off), frozenset(own.workdays), national)


def month_days(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
