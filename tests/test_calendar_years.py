"""A year nobody has published yet: on Monday 4 January 2027, with no 2027 data (chinese-calendar
1.11 knows up to 2026) attendance keeps working provisionally and says so; the admins are told how
to supply the year; importing a 2027 file with a made-up makeup Saturday (9 January) makes that
Saturday a workday in counts and in the reminder, and corrects the earlier provisional count."""

import argparse
import json
from datetime import date

import pytest

from bot import cli_calendar
from handlers.national_calendar import CalendarFileError, NationalCalendar, parse_schedule
from scheduler import runtime
from scheduler.attendance_jobs import check_attendance_warnings, send_checkin_reminders
from scheduler.calendar_jobs import remind_missing_schedule
from tests.attendance_helpers import at, chat, check_in

MONDAY = date(2027, 1, 4)
MAKEUP_SATURDAY = date(2027, 1, 9)
MARK = "（暂定：2027 年放假安排未发布）"


@pytest.fixture
def bound(app):
    runtime.bind(app)
    yield app
    runtime.bind(None)


def holiday_cn_2027(path) -> str:
    """The holiday-cn layout, with a made-up 调休: Saturday 9 January is worked."""
    days = [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-02", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-03", "isOffDay": True},
        {"name": "元旦", "date": "2027-01-09", "isOffDay": False},
        {"name": "春节", "date": "2027-02-06", "isOffDay": True},
    ]
    path.write_text(json.dumps({"year": 2027, "papers": [], "days": days}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def calendar_command(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cadrebot")
    cli_calendar.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["calendar", *argv])


def test_2027_without_data_works_provisionally_and_the_import_corrects_it(world, clock, bound, tmp_path, capsys):
    at(clock, MONDAY, 8)
    assert "打卡成功" in chat(world).reply("/打卡", "wangw")

    at(clock, MONDAY, 9)
    send_checkin_reminders()
    assert chat(world).new_texts() == [f"⏰ 今天（1月4日）还有 3 人未打卡：@张建国 @李秀英 @周敏\n请尽快发送 /打卡{MARK}"]
    remind_missing_schedule()
    notice = chat(world, "wx-zhiying").new_texts()
    assert len(notice) == 1 and notice[0].startswith("📅 2027 年的放假安排还没有导入")
    assert "@孙丽" in notice[0] and "cadrebot calendar import 2027.json" in notice[0]

    summary = chat(world).reply("/考勤", "wangw")
    assert "应出勤 1 天：已打卡 1 天" in summary and summary.endswith(MARK)

    at(clock, MAKEUP_SATURDAY, 8)
    assert "应出勤 5 天" in chat(world).reply("/考勤", "lixy")  # Monday to Friday, provisionally
    at(clock, MAKEUP_SATURDAY, 9)
    send_checkin_reminders()
    assert chat(world).new_texts() == []  # a Saturday, as far as anyone knows yet

    args = calendar_command("import", holiday_cn_2027(tmp_path / "2027.json"))
    assert args.func(args, app=world.app) == 0
    assert "✅ 已导入 2027 年放假安排：放假 4 天，调休上班 1 天" in capsys.readouterr().out

    at(clock, MAKEUP_SATURDAY, 9, 10)
    send_checkin_reminders()
    assert chat(world).new_texts() == ["⏰ 今天（1月9日）还有 4 人未打卡：@张建国 @李秀英 @王伟 @周敏\n请尽快发送 /打卡"]
    corrected = chat(world).reply("/考勤", "lixy")
    assert "应出勤 6 天：已打卡 0 天" in corrected and "暂定" not in corrected


def test_the_missing_year_notice_is_weekly_and_starts_on_1_december(world, clock, bound):
    at(clock, date(2026, 11, 30), 9)
    remind_missing_schedule()
    assert chat(world, "wx-zhiying").new_texts() == []  # 2027 unknown, but not December yet
    at(clock, date(2026, 12, 1), 9)
    remind_missing_schedule()
    at(clock, date(2026, 12, 2), 9)
    remind_missing_schedule()
    assert len(chat(world, "wx-zhiying").new_texts()) == 1  # once a week
    at(clock, date(2026, 12, 8), 9)
    remind_missing_schedule()
    assert len(chat(world, "wx-zhiying").new_texts()) == 1


def test_warnings_sent_from_provisional_counts_are_corrected_by_the_official_schedule(world, clock, bound, tmp_path):
    # Provisionally 5-8 January are workdays; 王伟 checks in on none of them → red on the 9th.
    check_in(world, clock, date(2027, 1, 4), "zhangjg", "lixy", "wangw", "liuy", "zhaol")
    for day in (5, 6, 7, 8):
        check_in(world, clock, date(2027, 1, day), "zhangjg", "lixy", "liuy", "zhaol")
    at(clock, date(2027, 1, 9), 0, 30)
    check_attendance_warnings()
    warnings = [t for t in chat(world).new_texts() if "王伟" in t]
    assert warnings and warnings[0].startswith("⛔ 考勤预警：王伟 1月已缺勤 4 天") and warnings[0].endswith(MARK)

    # The State Council (made up): 5-7 January are days off. 王伟 missed only the 8th.
    path = tmp_path / "2027.toml"
    path.write_text("year = 2027\ndays_off = [2027-01-01, 2027-01-05, 2027-01-06, 2027-01-07]\n", encoding="utf-8")
    args = calendar_command("import", str(path))
    assert args.func(args, app=world.app) == 0
    correction = chat(world).new_texts()
    assert correction == [
        "🔁 更正：按已公布的 2027 年放假安排重新计算，王伟 1月缺勤 1 天，状态 🟢 正常。"
        "此前的预警按暂定安排计算，以本条为准。请 @张建国 知悉。",
        "🔁 更正：按已公布的 2027 年放假安排重新计算，周敏 1月缺勤 2 天，状态 🟡 黄色预警。"  # no account: 4th, 8th
        "此前的预警按暂定安排计算，以本条为准。请 @张建国 知悉。",
    ]


def test_calendar_show_names_the_source_of_each_year(tmp_path, capsys):
    config = tmp_path / "cadrebot.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    from bot.cli import main

    assert main(["--config", str(config), "calendar", "show", "2027"]) == 0
    shown = capsys.readouterr().out
    assert "来源：暂定：2027 年放假安排未发布" in shown and "2月6日（春节）" in shown
    assert main(["--config", str(config), "calendar", "show", "2026"]) == 0
    shown = capsys.readouterr().out
    assert "来源：chinese-calendar 软件包" in shown and "10月1日（国庆节）" in shown and "调休上班：1月4日、2月14日" in shown
    assert main(["--config", str(config), "calendar", "import", holiday_cn_2027(tmp_path / "2027.json")]) == 0
    assert "数据库里还没有镇" in capsys.readouterr().out
    assert NationalCalendar(tmp_path / "data").year(2027).is_workday(MAKEUP_SATURDAY)
    assert main(["--config", str(config), "calendar", "show", "2027"]) == 0
    assert "调休上班：1月9日（元旦）" in capsys.readouterr().out


@pytest.mark.parametrize("content, error", [
    ('{"year": 2027, "days": [{"date": "2027-13-01", "isOffDay": true}]}', "日期「2027-13-01」不对"),
    ('{"year": 2027, "days": [{"date": "2028-01-01", "isOffDay": true}]}', "2028-01-01 不在这一年"),
    ('{"days": []}', "缺少年份"),
    ("{not json", "不是有效的 JSON"),
])
def test_a_bad_schedule_file_is_refused_in_chinese(tmp_path, content, error):
    path = tmp_path / "2027.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarFileError, match=error):
        parse_schedule(path)


def test_a_supplied_year_overrides_the_package_and_township_days_still_apply(tmp_path):
    from bot.config import Settings, TownshipCalendarSettings
    from handlers.national_calendar import save_schedule
    from handlers.workdays import calendar_for

    path = tmp_path / "2026.toml"  # the State Council moves the last day of 2026 (made up)
    path.write_text("year = 2026\ndays_off = [2026-12-31]\nworkdays = [2026-12-26]\n[names]\n\"元旦\" = [2026-12-31]\n",
                    encoding="utf-8")
    save_schedule(parse_schedule(path), tmp_path / "data")
    settings = Settings(data_dir=tmp_path / "data", attendance={"calendars": {"芝英镇": TownshipCalendarSettings(
        workdays=[date(2026, 12, 31)])}})
    assert NationalCalendar(tmp_path / "data").year(2026).source == "file"
    assert not calendar_for(settings, "别的镇").is_workday(date(2026, 12, 31))
    assert calendar_for(settings, "别的镇").is_workday(date(2026, 12, 26))  # a Saturday, now worked
    assert calendar_for(settings, "芝英镇").is_workday(date(2026, 12, 31))  # the township's own day wins
