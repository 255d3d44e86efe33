"""The daily reminder and the warning colours, run as the scheduler would, with a moved clock
over October 2026 (National Day holiday 1–7 October, 调休 working Saturday 10 October)."""

from datetime import date

import pytest

from scheduler import runtime
from scheduler.attendance_jobs import check_attendance_warnings, send_checkin_reminders
from tests.attendance_helpers import MAKEUP_SATURDAY, at, chat, check_in
from tests.factories import add_village, outbox_rows
from tests.query_count import reads, statements

OCT = date(2026, 10, 1)


@pytest.fixture
def bound(app):
    runtime.bind(app)
    yield app
    runtime.bind(None)


def test_reminder_mentions_who_has_not_checked_in_and_skips_approved_leave(world, clock, bound):
    at(clock, OCT.replace(day=12), 7)
    chat(world).reply("/请假 10-12 参加县里培训", "lixy")
    chat(world).reply("/批准 1", "zhangjg")
    check_in(world, clock, OCT.replace(day=12), "zhangjg", "liuy")
    at(clock, OCT.replace(day=12), 9)
    send_checkin_reminders()
    assert chat(world).new_texts() == ["⏰ 今天（10月12日）还有 2 人未打卡：@王伟 @周敏\n请尽快发送 /打卡"]
    assert outbox_rows(world.app, "wecom", "wx-yazhuang")[-1].mentions == ["wangw"]  # 周敏 has no account yet
    assert chat(world, "dt-lianhu").new_texts() == ["⏰ 今天（10月12日）还有 1 人未打卡：@赵磊\n请尽快发送 /打卡"]
    assert outbox_rows(world.app, "dingtalk", "dt-lianhu")[-1].mentions == ["zhaol"]


def test_reminder_run_twice_sends_once(world, clock, bound):
    at(clock, OCT.replace(day=12), 9)
    send_checkin_reminders()
    send_checkin_reminders()
    assert len(chat(world).new_texts()) == 1


def test_reminder_on_the_makeup_saturday_but_not_on_a_holiday_or_sunday(world, clock, bound):
    for day in (OCT.replace(day=5), OCT.replace(day=11)):  # National Day Monday, ordinary Sunday
        at(clock, day, 9)
        send_checkin_reminders()
    assert outbox_rows(world.app) == []
    at(clock, MAKEUP_SATURDAY, 9)
    send_checkin_reminders()
    assert chat(world).new_texts()[0].startswith("⏰ 今天（10月10日）还有 4 人未打卡")


def test_no_reminder_when_everyone_checked_in(world, clock, bound):
    check_in(world, clock, OCT.replace(day=12), "zhangjg", "lixy", "wangw", "liuy", "zhaol")
    with world.app.unit_of_work() as uow:  # 周敏 has no account: she is on leave this day
        from storage.models import LeaveRequest
        uow.session.add(LeaveRequest(member_id=world.members["周敏"], start_day=OCT.replace(day=12),
                                     end_day=OCT.replace(day=12), reason="病假", status="approved",
                                     requested_at=clock.now()))
        uow.commit()
    chat(world).new_texts()
    at(clock, OCT.replace(day=12), 9)
    send_checkin_reminders()
    assert chat(world).new_texts() == [] and chat(world, "dt-lianhu").new_texts() == []


def test_colour_notices_go_once_per_change_up_to_the_flag(world, clock, bound):
    """王伟 never checks in. Each night the job looks at the day that just closed."""
    notices = []
    for night, missed in ((9, 1), (10, 2), (10, 2), (11, 3), (12, 3), (13, 4)):
        at(clock, OCT.replace(day=night), 0, 30)
        check_attendance_warnings()
        notices.append([t for t in chat(world).new_texts() if "王伟" in t])
    assert notices == [
        [],
        ["⚠️ 考勤预警：王伟 10月已缺勤 2 天，状态 🟡 黄色预警。请 @张建国 关注。"],
        [],  # the same night again: no second notice
        ["⚠️ 考勤预警：王伟 10月已缺勤 3 天，状态 🔴 红色预警。请 @张建国 关注。"],
        [],  # Sunday closed: still 3
        ["⛔ 考勤预警：王伟 10月已缺勤 4 天，超过 3 天，按村规视为自动离职。请 @张建国 处理。"],
    ]
    rows = [r for r in outbox_rows(world.app, "wecom", "wx-yazhuang") if "王伟" in r.text]
    assert all(r.mentions == ["zhangjg"] for r in rows)


def test_a_correction_turns_a_member_back_to_green_quietly_and_a_new_miss_warns_again(world, clock, bound):
    for night in (9, 10):
        at(clock, OCT.replace(day=night), 0, 30)
        check_attendance_warnings()
    assert any("王伟 10月已缺勤 2 天" in t for t in chat(world).new_texts())
    check_in(world, clock, MAKEUP_SATURDAY, "wangw", hour=8)
    assert chat(world).reply("/补卡 王伟 10-08 在镇里开会", "zhangjg").startswith("✅ 已为 王伟 补卡")
    at(clock, OCT.replace(day=11), 0, 30)
    check_attendance_warnings()
    assert [t for t in chat(world).new_texts() if "王伟" in t] == []  # back to green (1 missed): no notice
    at(clock, OCT.replace(day=13), 0, 30)
    check_attendance_warnings()
    assert [t for t in chat(world).new_texts() if "王伟" in t] == [
        "⚠️ 考勤预警：王伟 10月已缺勤 2 天，状态 🟡 黄色预警。请 @张建国 关注。"
    ]


def test_the_flag_threshold_is_configurable(world, clock, bound):
    world.app.settings.attendance.flag_over = 1
    for night in (9, 10):
        at(clock, OCT.replace(day=night), 0, 30)
        check_attendance_warnings()
    texts = [t for t in chat(world).new_texts() if "王伟" in t]
    assert texts[-1] == "⛔ 考勤预警：王伟 10月已缺勤 2 天，超过 1 天，按村规视为自动离职。请 @张建国 处理。"


def test_the_first_night_of_a_month_closes_the_last_day_of_the_previous_one(world, clock, bound):
    at(clock, date(2026, 11, 1), 0, 30)
    check_attendance_warnings()
    assert "王伟 10月已缺勤 18 天" in "\n".join(chat(world).new_texts())


def test_jobs_are_wired_daily_at_the_configured_times(app):
    from scheduler.wiring import build_scheduler

    app.settings.attendance.reminder_time = app.settings.attendance.reminder_time.replace(hour=8, minute=45)
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    reminder = {f.name: str(f) for f in jobs["attendance.reminder"].trigger.fields}
    warnings = {f.name: str(f) for f in jobs["attendance.warnings"].trigger.fields}
    assert (reminder["hour"], reminder["minute"]) == ("8", "45")
    assert (warnings["hour"], warnings["minute"]) == ("0", "30")
    assert jobs["attendance.reminder"].func_ref == "scheduler.attendance_jobs:send_checkin_reminders"


def test_the_nightly_warnings_read_the_roster_and_groups_the_same_number_of_times_for_any_number_of_villages(
    world, clock, bound
):
    """Nobody checks in. On 10 October everyone of 2 villages turns yellow; on 4 November everyone of
    6 villages does: each village's 书记 is told, at the same cost in reads."""
    at(clock, OCT.replace(day=10), 0, 30)
    few = _nightly_reads(world)
    assert {t for t in chat(world).new_texts() if "黄色预警" in t} >= {
        "⚠️ 考勤预警：王伟 10月已缺勤 2 天，状态 🟡 黄色预警。请 @张建国 关注。"}
    for n in range(1, 5):
        add_village(world, f"新村{n}", [(f"新书记{n}", "书记"), (f"新干部{n}", "村干部")], chat_id=f"wx-new{n}")
    at(clock, date(2026, 11, 4), 0, 30)
    many = _nightly_reads(world)
    assert world.chat("wx-new4").new_texts() == [
        "⚠️ 考勤预警：新书记4 11月已缺勤 2 天，状态 🟡 黄色预警。请 @新书记4 关注。",
        "⚠️ 考勤预警：新干部4 11月已缺勤 2 天，状态 🟡 黄色预警。请 @新书记4 关注。",
    ]
    assert many == few


def _nightly_reads(world) -> int:
    with statements(world.app.engine) as seen:
        check_attendance_warnings()
    return reads(seen)
