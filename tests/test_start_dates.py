"""Fair start dates: a township that imports its roster in the middle of November is not told on
the first night that everyone 视为自动离职 for the days before it used the bot."""

from datetime import date

import pytest

from handlers.attendance_report import month_report
from handlers.attendance_views import village_table
from handlers.roster import import_roster
from scheduler import runtime
from scheduler.attendance_jobs import check_attendance_warnings, send_checkin_reminders
from storage.models import Member, Township
from storage.repositories import OrgRepository
from tests.attendance_helpers import at
from tests.factories import outbox_rows

ROSTER = (
    "乡镇,村,姓名,职务,企业微信ID,起始日期\n"
    "青山镇,东坑村,何书记,书记,hesj,\n"
    "青山镇,东坑村,钱文,村干部,qianw,2026-11-01\n"  # a start before the township's: the township's wins
    "青山镇,东坑村,孔丽,村干部,kongl,2026-11-20\n"  # starts later than the import
)


@pytest.fixture
def township(app, clock, tmp_path):
    """青山镇 imports its roster on Monday 16 November 2026 and binds 东坑村's group."""
    path = tmp_path / "花名册.csv"
    path.write_text(ROSTER, encoding="utf-8")
    at(clock, date(2026, 11, 16), 10)
    with app.unit_of_work() as uow:
        import_roster(uow.session, path, today=clock.today())
        org = OrgRepository(uow.session)
        qingshan = org.township_named("青山镇")
        org.bind_group("wecom", "wx-dongkeng", qingshan, org.village_named("东坑村", qingshan.id))
        uow.commit()
    runtime.bind(app)
    yield app
    runtime.bind(None)


def test_the_first_night_after_the_import_warns_nobody(township, clock):
    at(clock, date(2026, 11, 17), 0, 30)
    check_attendance_warnings()
    assert outbox_rows(township) == []
    with township.unit_of_work() as uow:
        qingshan = uow.session.query(Township).filter_by(name="青山镇").one()
        assert qingshan.started_on == date(2026, 11, 16)
        starts = dict(uow.session.query(Member.name, Member.start_date))
        assert starts == {"何书记": date(2026, 11, 16), "钱文": date(2026, 11, 1), "孔丽": date(2026, 11, 20)}
        report = month_report(uow.session, township.settings, qingshan, 2026, 11, clock.today())
    assert [(row.name, row.required, row.missed) for row in report.members if row.started] == [
        ("何书记", 2, 1), ("钱文", 2, 1)]  # the 16th missed; the 17th is not over yet


def test_days_before_the_start_are_dashes_and_never_reminded(township, clock):
    at(clock, date(2026, 11, 18), 9)
    send_checkin_reminders()
    [reminder] = [row.text for row in outbox_rows(township)]
    assert "孔丽" not in reminder and "@何书记 @钱文" in reminder
    with township.unit_of_work() as uow:
        qingshan = uow.session.query(Township).filter_by(name="青山镇").one()
        october = month_report(uow.session, township.settings, qingshan, 2026, 10, clock.today())
        november = month_report(uow.session, township.settings, qingshan, 2026, 11, clock.today())
    assert village_table(october, "东坑村", october.members).splitlines()[2:] == [
        "何书记｜—｜—｜—｜—｜—｜—", "钱文｜—｜—｜—｜—｜—｜—", "孔丽｜—｜—｜—｜—｜—｜—"]
    assert village_table(november, "东坑村", november.members).splitlines()[-1] == "孔丽｜—｜—｜—｜—｜—｜—"


def test_a_month_of_real_absence_after_the_start_still_warns(township, clock):
    for day in (17, 18, 19, 20):
        at(clock, date(2026, 11, day + 1), 0, 30)
        check_attendance_warnings()
    texts = [row.text for row in outbox_rows(township)]
    assert any(text.startswith("⛔ 考勤预警：何书记 11月已缺勤 4 天") for text in texts)
    assert not any("孔丽" in text for text in texts)  # started on the 20th: 1 day missed, green


def test_binding_a_first_account_starts_the_count_that_day(world, clock):
    at(clock, date(2026, 11, 24), 10)
    world.chat().reply("/绑定 周敏", "zhoumin-wx")
    assert "已确认" in world.chat("wx-zhiying").reply("/绑定 确认 1", "sunli")
    assert world.member("周敏").start_date == date(2026, 11, 24)
    at(clock, date(2026, 11, 25), 7)
    assert world.chat().reply("/考勤", "zhoumin-wx").startswith(
        "📅 周敏 2026年11月考勤（截至11月25日）\n应出勤 2 天：已打卡 0 天（迟到 0 次），请假 0 天，缺勤 1 天")
