"""Workdays follow China's official calendar (holidays and 调休), plus a township's own days."""

from datetime import date

import chinese_calendar

from bot.config import Settings, TownshipCalendarSettings
from handlers.national_calendar import NationalCalendar, days_between
from handlers.workdays import WorkCalendar, calendar_for
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


def test_a_year_nobody_published_counts_weekends_and_statutory_holidays_provisionally(tmp_path):
    calendar = calendar_for(Settings(data_dir=tmp_path), "芝英镇")
    assert not calendar.is_workday(date(2031, 1, 1))  # 元旦, a Wednesday
    assert not calendar.is_workday(date(2031, 10, 1))  # 国庆节
    assert calendar.is_workday(date(2031, 3, 3))  # an ordinary Monday
    assert not calendar.is_workday(date(2031, 3, 8))  # an ordinary Saturday
    assert calendar.mark(date(2031, 3, 1), date(2031, 3, 31)) == "（暂定：2031 年放假安排未发布）"
    assert calendar.mark(date(2026, 10, 1), date(2026, 10, 31)) == ""


def test_attendance_in_an_unpublished_year_is_counted_and_marked(world, clock):
    at(clock, date(2031, 3, 3))
    reply = chat(world).reply("/考勤", "wangw")
    assert "应出勤 1 天" in reply
    assert reply.endswith("（暂定：2031 年放假安排未发布）")


def test_the_years_the_package_knows_are_counted_exactly_as_the_package_counts_them(tmp_path):
    national = NationalCalendar(tmp_path)
    days = list(days_between(date(2024, 1, 1), date(2026, 12, 31)))
    assert [national.is_workday(day) for day in days] == [chinese_calendar.is_workday(day) for day in days]
    assert not national.year(2026).provisional and national.year(2027).provisional
