"""Which days a township works: China's official calendar (statutory holidays and 调休 makeup
workdays, from the `chinese-calendar` package) plus the township's own extra days off or on.

The package only knows the years the State Council has published; for any other year we refuse
with a clear Chinese error instead of guessing from weekdays.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

from bot.config import Settings
from bot.errors import UserError

__all__ = ["CalendarNotCovered", "WorkCalendar", "calendar_for", "month_days"]

NOT_COVERED = "暂无 {year} 年的法定节假日安排（日历数据只到 {last} 年），无法计算工作日。请管理员升级 chinese-calendar 或在配置中补充。"


class CalendarNotCovered(UserError):
    """The official calendar of this year is not known (not yet published, or too old)."""


@dataclass(frozen=True)
class WorkCalendar:
    days_off: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_workday(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.extra_workdays:
            return True
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarNotCovered(NOT_COVERED.format(year=day.year, last=_last_covered_year())) from None

    def workdays(self, first: date, last: date) -> list[date]:
        """Workdays from `first` to `last`, both included."""
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [day for day in days if self.is_workday(day)]


def calendar_for(settings: Settings, township_name: str) -> WorkCalendar:
    own = settings.attendance.calendars.get(township_name)
    if own is None:
        return WorkCalendar()
    return WorkCalendar(frozenset(own.days_off), frozenset(own.workdays))


def month_days(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _last_covered_year() -> int:
    return max(chinese_calendar.holidays).year
