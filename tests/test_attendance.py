"""/考勤 and /补卡 over October 2026 (National Day holiday, 调休 Saturday), with a moved clock."""

from datetime import date

from sqlalchemy import event, select

from handlers.attendance_report import month_report
from storage.models import Checkin, CheckinCorrection, Member, Township
from storage.repositories import OrgRepository
from tests.attendance_helpers import MAKEUP_SATURDAY, OCTOBER_WORKDAYS, at, chat, check_in

OCT = date(2026, 10, 1)


def test_own_month_counts_the_makeup_saturday_as_required_and_a_sunday_check_in_as_extra(world, clock):
    for day in (8, 9, 10, 11, 12):
        check_in(world, clock, OCT.replace(day=day), "zhangjg")
    assert chat(world).reply("/考勤", "zhangjg") == (
        "📅 张建国 2026年10月考勤（截至10月12日）\n"
        "应出勤 4 天：已打卡 4 天（迟到 0 次），请假 0 天，缺勤 0 天\n"
        "状态：🟢 正常\n"
        "休息日打卡 1 天（不计入应出勤）"
    )


def test_today_without_check_in_is_pending_not_missed(world, clock):
    check_in(world, clock, OCT.replace(day=8), "lixy", hour=8, minute=40)
    check_in(world, clock, MAKEUP_SATURDAY, "lixy")
    at(clock, OCT.replace(day=12), 8, 10)
    assert chat(world).reply("/考勤", "lixy") == (
        "📅 李秀英 2026年10月考勤（截至10月12日）\n"
        "应出勤 4 天：已打卡 2 天（迟到 1 次），请假 0 天，缺勤 1 天\n"
        "状态：🟢 正常\n"
        "今天还未打卡，请发送 /打卡"
    )


def test_a_past_month_is_counted_whole(world, clock):
    at(clock, date(2026, 11, 24))
    reply = chat(world).reply("/考勤 10月", "wangw")
    assert f"应出勤 {OCTOBER_WORKDAYS} 天：已打卡 0 天" in reply
    assert f"缺勤 {OCTOBER_WORKDAYS} 天" in reply and "⛔ 视为自动离职" in reply


def test_party_members_are_not_on_the_attendance_list(world, clock):
    assert chat(world).reply("/考勤", "chenj") == "陈静，您不在考勤名单上（书记、村干部需要每天打卡）。"


def test_village_table_for_the_secretary(world, clock):
    check_in(world, clock, OCT.replace(day=8), "zhangjg", "lixy")
    check_in(world, clock, OCT.replace(day=9), "zhangjg")
    at(clock, OCT.replace(day=10), 7, 0)
    assert chat(world).reply("/考勤 全村", "zhangjg") == (
        "📊 雅庄村 2026年10月考勤（截至10月10日，应出勤 3 天）\n"
        "姓名｜打卡｜迟到｜请假｜缺勤｜休息日打卡｜状态\n"
        "张建国｜2｜0｜0｜0｜0｜🟢 正常\n"
        "李秀英｜1｜0｜0｜1｜0｜🟢 正常\n"
        "王伟｜0｜0｜0｜2｜0｜🟡 黄色预警\n"
        "周敏｜0｜0｜0｜2｜0｜🟡 黄色预警"
    )


def test_township_tables_for_the_admin_list_every_village(world, clock):
    at(clock, OCT.replace(day=12), 7, 0)
    reply = "\n".join(chat(world, "wx-zhiying").say("/考勤 全镇", "sunli"))
    assert "📊 雅庄村 2026年10月考勤（截至10月12日，应出勤 4 天）" in reply
    assert "📊 莲湖村 2026年10月考勤（截至10月12日，应出勤 4 天）" in reply
    assert "赵磊｜0｜0｜0｜3｜0｜🔴 红色预警" in reply


def test_whole_village_and_township_are_for_secretaries_and_admins_only(world, clock):
    assert chat(world).reply("/考勤 全村", "wangw") == "⛔ /考勤 全村 只有书记、管理员可以使用。"
    assert chat(world).reply("/考勤 全镇", "lixy") == "⛔ /考勤 全镇 只有书记、管理员可以使用。"


def test_correction_creates_the_day_and_keeps_an_audit_entry(world, clock):
    at(clock, OCT.replace(day=12), 10, 15)
    reply = chat(world).reply("/补卡 王伟 10-09 在镇里开会忘记打卡", "zhangjg")
    assert reply == "✅ 已为 王伟 补卡：10月9日（原为未打卡），理由：在镇里开会忘记打卡。补卡人 张建国，已记录在案。"
    with world.app.unit_of_work() as uow:
        correction = uow.session.scalar(select(CheckinCorrection))
        assert (correction.member_id, correction.corrected_by_id) == (world.members["王伟"], world.members["张建国"])
        assert correction.day == date(2026, 10, 9) and correction.previous == "missing"
        assert correction.reason == "在镇里开会忘记打卡"
        assert correction.corrected_at == clock.now()
        assert uow.session.get(Checkin, correction.checkin_id).source == "补卡"
    assert "已打卡 1 天" in chat(world).reply("/考勤", "wangw")


def test_correction_of_a_late_check_in_clears_late(world, clock):
    check_in(world, clock, OCT.replace(day=9), "wangw", hour=9)
    at(clock, OCT.replace(day=9), 17)
    assert "（原为迟到）" in chat(world).reply("/补卡 王伟 10-9 路上堵车", "zhangjg")
    assert "迟到 0 次" in chat(world).reply("/考勤", "wangw")
    assert chat(world).reply("/补卡 王伟 10-9 再补一次", "zhangjg") == "王伟 10月9日已正常打卡，不需要补卡。"


def test_correction_refusals_store_nothing(world, clock):
    at(clock, OCT.replace(day=12), 10)
    group = chat(world)
    assert group.reply("/补卡 王伟 10-09 忘了", "lixy").startswith("⛔ /补卡 只有")
    assert group.reply("/补卡 王伟 10-20 提前补", "zhangjg") == "10月20日还没到，不能补卡。"
    assert group.reply("/补卡 赵磊 10-09 忘了", "zhangjg") == "本村花名册里没有「赵磊」。"
    assert group.reply("/补卡 王伟 上周 忘了", "zhangjg").startswith("「上周」不是日期")
    assert group.reply("/补卡 王伟 10-09", "zhangjg").startswith("缺少理由。\n用法：")
    with world.app.unit_of_work() as uow:
        assert uow.session.scalars(select(Checkin)).all() == []
        assert uow.session.scalars(select(CheckinCorrection)).all() == []


def test_a_township_report_costs_the_same_queries_for_any_number_of_members(world, clock):
    at(clock, OCT.replace(day=20))
    check_in(world, clock, OCT.replace(day=20), "zhangjg", "liuy")
    small = _statements_for_report(world)
    with world.app.unit_of_work() as uow:
        for n in range(40):
            uow.session.add(Member(township_id=world.township_id, village_id=world.villages["莲湖村"],
                                   name=f"新人{n}", role="村干部", active=True))
        uow.commit()
    assert _statements_for_report(world) == small <= 4


def _statements_for_report(world) -> int:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with world.app.unit_of_work() as uow:
        township = uow.session.get(Township, world.township_id)
        event.listen(world.app.engine, "before_cursor_execute", listener)
        try:
            report = month_report(uow.session, world.app.settings, township, 2026, 10, world.app.clock.today())
        finally:
            event.remove(world.app.engine, "before_cursor_execute", listener)
    assert report.members
    return len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))])


def test_a_secretary_without_a_village_sees_no_village_table(world, clock):
    """/考勤 全村 shows the 书记's own village; a 书记 the roster puts in no village is refused in a
    village group by the router (Scope.VILLAGE) and finds no village to show elsewhere."""
    with world.app.unit_of_work() as uow:
        secretary = Member(township_id=world.township_id, name="镇书记", role="书记", active=True)
        uow.session.add(secretary)
        uow.session.flush()
        OrgRepository(uow.session).set_identity(secretary, "wecom", "zhenshuji")
        uow.commit()
    assert chat(world).reply("/考勤 全村", "zhenshuji") == "⛔ 您不是雅庄村的人员，不能在这里使用 /考勤 全村（只能处理本村事务）。"
    assert chat(world, "wx-zhiying").reply("/考勤 全村", "zhenshuji") == "请在村的群里发送 /考勤 全村，或发送 /考勤 全镇。"
    assert chat(world).reply("/考勤 全村", "zhangjg").startswith("📊 雅庄村")
