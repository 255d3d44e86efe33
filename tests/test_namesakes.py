"""Two members with the same name are told apart everywhere a list names people: attendance
tables and the 迟到席 roll call (by village; one village cannot hold two of one name)."""

from datetime import date

from storage.models import Member
from storage.repositories import OrgRepository
from tests.attendance_helpers import at, chat
from tests.factories import outbox_rows
from tests.meeting_helpers import at as at_time, sweep


def add_member(world, village: str, name: str, role: str, wecom: str | None = None, team: str | None = None):
    with world.app.unit_of_work() as uow:
        member = Member(township_id=world.township_id, village_id=world.villages[village], name=name, role=role,
                        team=team, active=True)
        uow.session.add(member)
        uow.session.flush()
        if wecom:
            OrgRepository(uow.session).set_identity(member, "wecom", wecom)
        world.members[f"{name}@{village}"] = member.id
        uow.commit()


def test_township_tables_tell_two_wang_wei_apart_by_village(world, clock):
    add_member(world, "莲湖村", "王伟", "村干部")
    at(clock, date(2026, 10, 12), 7)
    tables = "\n".join(chat(world, "wx-zhiying").say("/考勤 全镇", "sunli"))
    assert "王伟（雅庄村）｜" in tables and "王伟（莲湖村）｜" in tables


def test_the_late_seat_tells_namesakes_apart(world, clock):
    add_member(world, "莲湖村", "王伟", "村干部", wecom="wangw2")
    township = world.chat("wx-zhiying")
    township.reply("/会议 新建 2026-11-28 14:30 两委例会 参会：全体", "sunli")
    clock.set(at_time("2026-11-28 14:36"))
    township.reply("/签到", "wangw")
    township.reply("/签到", "wangw2")
    clock.set(at_time("2026-11-28 14:40"))
    sweep(world.app)
    roll_call = outbox_rows(world.app, "wecom", "wx-zhiying")[-1].text
    assert "迟到席：\n王伟（雅庄村） 迟到 6 分钟\n王伟（莲湖村） 迟到 6 分钟" in roll_call
