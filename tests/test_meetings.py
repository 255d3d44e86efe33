"""Meetings: /会议 新建/取消/list, reminders, /签到 and the 迟到席 roll call, with a moved clock."""

from datetime import date

from storage.models import LeaveRequest, Meeting
from tests.factories import outbox_rows
from tests.meeting_helpers import at, sweep

NEW = "/会议 新建 2026-11-28 14:30 两委例会 主题：安全生产 地点：镇三楼会议室 参会：全体"


def create(world, text=NEW, sender="sunli", chat="wx-zhiying"):
    """Create a meeting; returns the reply and the chat it was said in (its replies read)."""
    group = world.chat(chat)
    return group.reply(text, sender), group


def test_admin_creates_township_meeting_and_lists_it(world):
    reply, township = create(world)
    assert reply == (
        "✅ 已安排会议 #1「两委例会」\n时间：2026-11-28 14:30\n地点：镇三楼会议室\n主题：安全生产\n应到 7 人，将在会前提醒"
    )
    assert township.reply("/会议", "sunli") == "近期会议：\n#1 2026-11-28 14:30 两委例会｜镇三楼会议室"


def test_default_township_audience_is_secretaries_and_cadres(world):
    reply, _ = create(world, "/会议 新建 11-28 14:30 两委例会")
    assert reply.endswith("应到 6 人，将在会前提醒")


def test_cadre_may_not_create_and_bad_input_is_explained(world):
    chat = world.chat("wx-yazhuang")
    assert chat.reply("/会议 新建 2026-11-28 14:30 例会", "lixy") == "⛔ /会议 新建 只有书记、管理员可以使用。"
    assert chat.reply("/会议 新建 2026-13-28 14:30 例会", "zhangjg").startswith(
        "「2026-13-28」不是日期，请写成 11-25、11月25日 或 2026-11-25。\n用法：\n/会议 新建 2026-12-05 14:30"
    )
    assert chat.reply("/会议 新建 2026-11-20 14:30 例会", "zhangjg") == "会议时间 2026-11-20 14:30 已经过去了"
    assert chat.reply("/会议 新建 2026-11-28 14:30 例会", "zhangjg").startswith("✅ 已安排会议 #")
    assert world.chat("wx-zhiying").reply("/会议 新建 2026-11-28 14:30 例会", "zhangjg") == (
        "镇级会议只有管理员可以安排或取消"
    )


def test_reminders_at_three_days_one_day_one_hour_once_each(world, clock):
    _, township = create(world)
    seen = []
    for moment in ("2026-11-25 14:29", "2026-11-25 14:30", "2026-11-27 14:30", "2026-11-28 13:30"):
        clock.set(at(moment))
        sweep(world.app)
        sweep(world.app)  # a job run twice sends once
        seen.append(township.new_texts())
    assert seen[0] == []
    assert [texts[0].split("\n")[0] for texts in seen[1:]] == [
        "📅 会议提醒：3 天后召开「两委例会」",
        "📅 会议提醒：1 天后召开「两委例会」",
        "📅 会议提醒：1 小时后召开「两委例会」",
    ]
    assert seen[1] == [
        "📅 会议提醒：3 天后召开「两委例会」\n时间：2026-11-28 14:30\n地点：镇三楼会议室\n主题：安全生产\n"
        "会前30分钟起发送 /签到 1 签到"
    ]


def test_roll_call_classifies_on_time_late_absent_and_excused(world, clock):
    _, township = create(world)
    with world.app.unit_of_work() as uow:
        uow.session.add(
            LeaveRequest(member_id=world.members["周敏"], start_day=date(2026, 11, 28), end_day=date(2026, 11, 28),
                         status="approved", requested_at=clock.now())
        )
        uow.commit()
    clock.set(at("2026-11-28 13:59"))
    assert township.reply("/签到", "zhangjg") == "现在没有可以签到的会议（会前 30 分钟开始签到）"
    clock.set(at("2026-11-28 14:00"))
    assert township.reply("/签到", "zhangjg") == "✅ 张建国 14:00 签到成功：「两委例会」"
    assert township.reply("/签到", "zhangjg") == "张建国，您已于 14:00 签到「两委例会」"
    assert township.reply("/签到 1", "sunli") == "孙丽不在会议 #1 的参会名单中"
    clock.set(at("2026-11-28 14:30"))
    assert township.reply("/签到 1", "lixy") == "✅ 李秀英 14:30 签到成功：「两委例会」"
    sweep(world.app)
    assert township.new_texts() == ["🔔「两委例会」已开始，准时签到截止：已签到 2/7 人。此后签到记为迟到。"]
    clock.set(at("2026-11-28 14:36").replace(second=30))
    assert township.reply("/签到", "wangw") == "⏰ 王伟 14:36 签到（迟到 7 分钟）：「两委例会」"
    clock.set(at("2026-11-28 14:40"))
    sweep(world.app)
    assert len(township.new_texts()) == 1
    rows = outbox_rows(world.app, "wecom", "wx-zhiying")[-1:]
    assert rows[0].text == (
        "📋「两委例会」点名（2026-11-28 14:30）\n"
        "应到 7 人｜实到 3 人｜迟到 1 人｜缺席 3 人｜请假 1 人\n"
        "迟到席：\n王伟 迟到 7 分钟\n"
        "缺席（请说明原因）：\n@陈静\n@刘洋\n@赵磊\n"
        "请假：周敏"
    )
    assert rows[0].mentions == ["chenj"]  # 刘洋 and 赵磊 have no WeCom account to @
    clock.set(at("2026-11-28 15:00"))
    assert township.reply("/签到", "chenj") == "⏰ 陈静 15:00 签到（迟到 30 分钟）：「两委例会」"


def test_cancelled_meeting_sends_nothing(world, clock):
    _, township = create(world)
    assert township.reply("/会议 取消 1", "sunli") == "🚫 会议 #1「两委例会」（2026-11-28 14:30）已取消，提醒不再发送"
    assert township.reply("/会议 取消 1", "sunli") == "会议 #1「两委例会」（2026-11-28 14:30）之前已经取消了"
    count = len(outbox_rows(world.app))
    for moment in ("2026-11-25 14:30", "2026-11-27 14:30", "2026-11-28 13:30", "2026-11-28 14:40",
                   "2026-11-29 10:30", "2026-11-29 14:30", "2026-11-30 14:30"):
        clock.set(at(moment))
        sweep(world.app)
    assert len(outbox_rows(world.app)) == count
    assert township.reply("/会议", "sunli") == "近期没有安排会议"


def test_village_secretary_cancels_only_own_village_meetings(world):
    _, village = create(world, "/会议 新建 2026-11-28 09:00 村两委会", "zhangjg", "wx-yazhuang")
    assert world.chat("dt-lianhu").reply("/会议 取消 1", "liuy") == "只能取消本村的会议"
    assert village.reply("/会议 取消 1", "zhangjg").startswith("🚫 会议 #1")


def test_send_of_a_meeting_cancelled_behind_its_back_sends_nothing(world, clock):
    """Even a planned row that was not cancelled with its meeting (a race) sends nothing."""
    create(world)
    with world.app.unit_of_work() as uow:
        uow.session.get(Meeting, 1).status = "cancelled"
        uow.commit()
    count = len(outbox_rows(world.app))
    clock.set(at("2026-11-25 14:30"))
    sweep(world.app)
    assert len(outbox_rows(world.app)) == count


def test_a_word_in_参会_that_is_no_role_village_or_team_is_refused_and_nothing_stored(world):
    from storage.models import Meeting

    reply = world.chat("wx-zhiying").reply(NEW.replace("参会：全体", "参会：书记,村干不"), "sunli")
    assert reply.startswith("参会范围里的「村干不」不是角色、村名或分组")
    with world.app.unit_of_work() as uow:
        assert uow.session.query(Meeting).count() == 0
