"""/请假, /批准, /驳回: a cadre asks, the village's 书记 decides; approved days are not missed."""

from datetime import date

from sqlalchemy import select

from storage.models import LeaveRequest
from tests.attendance_helpers import at, chat, check_in
from tests.factories import outbox_rows

OCT = date(2026, 10, 1)


def test_request_names_the_workdays_and_mentions_the_secretary(world, clock):
    at(clock, OCT.replace(day=9), 9)
    reply = chat(world).reply("/请假 10-10 10-12 参加县里培训", "lixy")
    assert reply == (
        "📝 请假申请 #1：李秀英 10月10日—10月12日（2 个工作日），事由：参加县里培训\n"
        "请@张建国审批：/批准 1 或 /驳回 1 理由"
    )
    assert outbox_rows(world.app, "wecom", "wx-yazhuang")[-1].mentions == ["zhangjg"]


def test_approved_leave_days_are_not_missed(world, clock):
    at(clock, OCT.replace(day=12), 7)
    group = chat(world)
    group.reply("/请假 10-13 10-14 参加县里培训", "lixy")
    assert group.reply("/批准 1", "zhangjg") == "✅ 请假 #1 已批准：@李秀英 10月13日—10月14日，批准人 张建国。"
    check_in(world, clock, OCT.replace(day=15), "lixy")
    assert "应出勤 7 天：已打卡 1 天（迟到 0 次），请假 2 天，缺勤 4 天" in group.reply("/考勤", "lixy")


def test_rejected_leave_days_stay_missed(world, clock):
    at(clock, OCT.replace(day=12), 7)
    group = chat(world)
    group.reply("/请假 10-13 家里有事", "wangw")
    assert group.reply("/驳回 1 这周要迎检", "zhangjg") == "❌ 请假 #1 已驳回：@王伟 10月13日，理由：这周要迎检（张建国）。"
    at(clock, OCT.replace(day=14), 7)
    assert "请假 0 天，缺勤 5 天" in group.reply("/考勤", "wangw")
    assert group.reply("/批准 1", "zhangjg") == "没有待审批的请假申请 #1。"


def test_a_check_in_on_a_leave_day_counts_as_checked_in_not_leave(world, clock):
    at(clock, OCT.replace(day=12), 7)
    group = chat(world)
    group.reply("/请假 10-12 上午看病", "wangw")
    group.reply("/批准 1", "zhangjg")
    check_in(world, clock, OCT.replace(day=12), "wangw", hour=14)
    assert "已打卡 1 天（迟到 1 次），请假 0 天" in group.reply("/考勤", "wangw")


def test_only_the_members_own_secretary_or_an_admin_decides(world, clock):
    at(clock, OCT.replace(day=12), 7)
    chat(world).reply("/请假 10-13 参加培训", "lixy")
    assert chat(world).reply("/批准 1", "wangw").startswith("⛔ /批准 只有")
    assert chat(world, "dt-lianhu").reply("/批准 1", "liuy") == "⛔ 只有李秀英所在村的书记或管理员可以审批这条请假。"
    assert chat(world, "wx-zhiying").reply("/批准 1", "sunli").startswith("✅ 请假 #1 已批准")


def test_a_secretary_cannot_approve_his_own_leave_and_the_admin_is_asked(world, clock):
    at(clock, OCT.replace(day=12), 7)
    reply = chat(world).reply("/请假 10-13 去县里开会", "zhangjg")
    assert "请@孙丽审批" in reply
    assert chat(world).reply("/批准 1", "zhangjg") == "⛔ 不能审批自己的请假，请管理员审批。"


def test_bad_requests_are_explained_and_nothing_is_stored(world, clock):
    at(clock, OCT.replace(day=12), 7)
    group = chat(world)
    assert group.reply("/请假 10-14 10-13 培训", "lixy") == "结束日期 10月13日 早于开始日期 10月14日。"
    assert group.reply("/请假 下周 培训", "lixy").startswith("「下周」不是日期")
    assert group.reply("/请假 10-13", "lixy").startswith("缺少事由。\n用法：")
    assert group.reply("/请假 10-13 11-30 长假", "lixy") == "一次请假最多 31 天，请分开申请。"
    with world.app.unit_of_work() as uow:
        assert uow.session.scalars(select(LeaveRequest)).all() == []
    group.reply("/请假 10-13 10-14 培训", "lixy")
    assert group.reply("/请假 10-14 看病", "lixy") == "您在这几天已有请假申请 #1（10月13日—10月14日，待审批）。"
