"""The party calendar: recurring events from config in plain terms, shown by /日程, and turned into
meetings (with their reminders) a few days ahead."""

from datetime import date, time

from bot.config import RecurringEvent, load_settings
from scheduler.party_calendar import occurrences
from tests.factories import outbox_rows
from tests.meeting_helpers import at, sweep

DEC = (date(2026, 12, 1), date(2026, 12, 31))
CALENDAR_TOML = """
[[meetings.calendar]]
title = "主题党日"
rule = "monthly"
day = 5
at = "09:00"
place = "村党群服务中心"

[[meetings.calendar]]
title = "党建星期二"
rule = "weekly"
weekday = 2
at = "19:30"
"""


def test_rules_in_plain_terms():
    assert occurrences(RecurringEvent(title="主题党日", rule="monthly", day=5), *DEC) == [date(2026, 12, 5)]
    first_tuesday = RecurringEvent(title="支委会", rule="monthly_weekday", weekday=2, nth=1)
    assert occurrences(first_tuesday, *DEC) == [date(2026, 12, 1)]
    last_friday = RecurringEvent(title="支委会", rule="monthly_weekday", weekday=5, nth=-1)
    assert occurrences(last_friday, *DEC) == [date(2026, 12, 25)]
    year = (date(2027, 1, 1), date(2027, 12, 31))
    quarterly = occurrences(RecurringEvent(title="党员大会", rule="quarterly", day=10), *year)
    assert quarterly == [date(2027, 1, 10), date(2027, 4, 10), date(2027, 7, 10), date(2027, 10, 10)]
    assert occurrences(RecurringEvent(title="党课", rule="half_yearly", day=31), *year) == [
        date(2027, 1, 31), date(2027, 7, 31)
    ]
    tuesdays = occurrences(RecurringEvent(title="党建星期二", rule="weekly", weekday=2), *DEC)
    assert tuesdays == [date(2026, 12, d) for d in (1, 8, 15, 22, 29)]


def test_calendar_reads_from_the_toml_file(tmp_path, monkeypatch):
    config = tmp_path / "cadrebot.toml"
    config.write_text(CALENDAR_TOML, encoding="utf-8")
    monkeypatch.setenv("CADREBOT_CONFIG", str(config))
    events = load_settings().meetings.calendar
    assert [(e.title, e.rule, e.at) for e in events] == [("主题党日", "monthly", time(9, 0)), ("党建星期二", "weekly", time(19, 30))]


def test_schedule_command_lists_upcoming_events(world, clock):
    world.app.settings.meetings.calendar = [
        RecurringEvent(title="主题党日", rule="monthly", day=5, at=time(9, 0), place="村党群服务中心"),
        RecurringEvent(title="党建星期二", rule="weekly", weekday=2, at=time(19, 30)),
    ]
    chat = world.chat()
    assert chat.reply("/日程 14", "chenj") == (
        "🗓 近 14 天日程：\n"
        "11-24（周二）19:30 党建星期二\n"
        "12-01（周二）19:30 党建星期二\n"
        "12-05（周六）09:00 主题党日｜村党群服务中心\n"
        "12-08（周二）19:30 党建星期二"
    )
    world.app.settings.meetings.calendar = []
    assert chat.reply("/日程", "chenj").startswith("近 30 天没有日程")


def test_calendar_events_become_meetings_once_with_reminders(world, clock):
    world.app.settings.meetings.calendar = [
        RecurringEvent(title="主题党日", rule="monthly", day=5, at=time(9, 0), theme="学习二十届四中全会精神"),
    ]
    clock.set(at("2026-11-29 09:00"))  # 6 days ahead: inside the 7-day horizon
    sweep(world.app)
    sweep(world.app)
    township = world.chat("wx-zhiying")
    assert township.reply("/会议", "sunli") == "近期会议：\n#1 2026-12-05 09:00 主题党日｜另行通知"
    clock.set(at("2026-12-02 09:00"))
    sweep(world.app)
    reminders = [r.text for r in outbox_rows(world.app, "wecom", "wx-zhiying") if "会议提醒" in r.text]
    assert reminders == [
        "📅 会议提醒：3 天后召开「主题党日」\n时间：2026-12-05 09:00\n地点：另行通知\n主题：学习二十届四中全会精神\n"
        "会前30分钟起发送 /签到 1 签到"
    ]


def test_calendar_event_nobody_attends_is_skipped_and_other_sends_go_on(world, clock):
    world.chat("wx-zhiying").reply("/会议 新建 2026-11-28 14:30 两委例会", "sunli")
    world.app.settings.meetings.calendar = [RecurringEvent(title="团日", rule="monthly", day=1, audience="团员")]
    clock.set(at("2026-11-25 14:30"))
    sweep(world.app)
    assert outbox_rows(world.app, "wecom", "wx-zhiying")[-1].text.startswith("📅 会议提醒：3 天后召开「两委例会」")
