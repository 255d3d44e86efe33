"""Workdays follow China's official calendar (holidays and 调休), plus a township's own days."""

from datetime import date

import pytest

from bot.config import Settings, TownshipCalendarSettings
from handlers.workdays import CalendarNotCovered, WorkCalendar, calendar_for
from tests.attendance_helpers import MAKEUP_SATURDAY, OCTOBER_WORKDAYS, at, chat


def test_october_2026_has_18_workdays_with_the_makeup_saturday_and_no_national_day():
    workdays = WorkCalendar().workdays(date(2026, 10, 1), date(2026, 10, 31))
    assert len(workdays) == OCTOBER_WORKDAYS
    assert MAKEUP_SATURDAY in workdays
    assert workdays[0] == date(2026, 10, 8)
    assert date(2026, 10, 11) not in workdays  # an ordinary Sunday


def test_township_extra_days_off_and_on_change_the_count():
    settings = Settings(
        attendance={"calendars": {"芝英镇": TownshipCalendarSettings(days_off=[date(2026, 10, 9)],
                                                                   workdays=[date(2026, 10, 11)])}}
    )
    zhiying = calendar_for(settings, "芝英镇")
    assert not zhiying.is_workday(date(2026, 10, 9))
    assert zhiying.is_workday(date(2026, 10, 11))
    assert calendar_for(settings, "别的镇").is_workday(date(2026, 10, 9))


def test_a_year_the_calendar_does_not_cover_is_a_clear_error():
    with pytest.raises(CalendarNotCovered, match="暂无 2031 年的法定节假日安排"):
        WorkCalendar().is_workday(date(2031, 3, 3))


def test_attendance_in_an_uncovered_year_tells_the_user(world, clock):
    at(clock, date(2031, 3, 3))
    assert chat(world).reply("/考勤", "wangw").startswith("暂无 2031 年的法定节假日安排")
