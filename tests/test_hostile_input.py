"""One test per hole a careful reviewer found: scope across villages and townships, the
self-confirmed binding and its double ballot, typed arguments that used to crash, echo limits,
NUL and invisible characters, look-alike names, formula cells and a locked database."""

from __future__ import annotations

import sqlite3
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import event, func, select, text

from bot.texts import BUSY
from storage.models import Ballot, BindingRequest, Checkin, LeaveRequest, Meeting, ProcessedMessage, Resolution, Vote
from tests.attendance_helpers import at
from tests.factories import message, outbox_rows
from tests.matrix_world import build_matrix_world

YAZHUANG, LIANHU, TOWNSHIP = "wx-yazhuang", "wx-lianhu", "wx-zhiying"
OTHER_VILLAGE = "⛔ 您不是雅庄村的人员，不能在这里使用 /{command}（只能处理本村事务）。"
OTHER_TOWNSHIP = "⛔ 这里是其他乡镇的群，您不能在这里使用 /{command}。"


def count(app, model) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_a_secretary_cannot_run_another_villages_meeting_vote_or_resolution(app, clock):
    world = build_matrix_world(app)
    yazhuang = world.chat(YAZHUANG)
    assert yazhuang.reply("/会议 新建 11-28 14:30 两委例会", "liuy-wx") == OTHER_VILLAGE.format(command="会议 新建")
    assert yazhuang.reply("/表决 是否同意修建村道", "liuy-wx") == OTHER_VILLAGE.format(command="表决")
    resolution = "/决议 修路 | 应到10 实到9 | 同意9 反对0 弃权0 | 19:00-19:30"
    assert yazhuang.reply(resolution, "liuy-wx") == OTHER_VILLAGE.format(command="决议")
    yazhuang.reply("/表决 是否同意修建村道", "zhangjg")
    assert yazhuang.reply("/结束表决", "liuy-wx") == OTHER_VILLAGE.format(command="结束表决")
    pasted = "今天召开两委会议，应到10人，实到9人，同意9票，表决通过修建村道。"
    assert yazhuang.say(pasted, "liuy-wx") == []  # not read as a draft of 雅庄村's resolution
    assert yazhuang.reply("/确认", "liuy-wx") == OTHER_VILLAGE.format(command="确认")
    assert (count(app, Meeting), count(app, Vote), count(app, Resolution)) == (0, 1, 0)


def test_a_secretary_cannot_cancel_another_villages_meeting_from_his_own_group(app, clock):
    world = build_matrix_world(app)
    world.chat(YAZHUANG).reply("/会议 新建 11-28 14:30 两委例会", "zhangjg")
    assert world.chat(LIANHU).reply("/会议 取消 1", "liuy-wx") == "只能取消本村的会议"
    assert world.chat(YAZHUANG).reply("/会议", "lixy").startswith("近期会议：\n#1")


def test_an_admin_of_another_township_can_do_nothing_here(app, clock):
    world = build_matrix_world(app)
    at(clock, date(2026, 11, 24), 9)
    world.chat(YAZHUANG).reply("/请假 11-30 参加培训", "lixy")
    for command, words in (
        ("/会议 新建 11-28 14:30 例会", "会议 新建"), ("/表决 是否修路", "表决"), ("/批准 1", "批准"), ("/公开 1", "公开"),
    ):
        assert world.chat(YAZHUANG).reply(command, "wai-admin") == OTHER_TOWNSHIP.format(command=words)
    # and from a private chat, the object itself is checked
    assert world.chat("user:wai").reply("/批准 1", "wai-admin") == "没有待审批的请假申请 #1。"
    assert world.chat("user:wai").reply("/绑定 确认 1", "wai-admin") == "没有待处理的绑定申请 #1。"
    with app.unit_of_work() as uow:
        assert uow.session.get(LeaveRequest, 1).status == "pending"


def test_a_secretary_cannot_bind_his_second_account_to_a_colleague_and_vote_twice(app, clock):
    world = build_matrix_world(app)
    yazhuang = world.chat(YAZHUANG)
    assert yazhuang.reply("/绑定 周敏", "zhangjg-second").startswith("📝 已提交绑定申请 #1：周敏")
    assert yazhuang.reply("/绑定 确认 1", "zhangjg") == "⛔ /绑定 确认 只有管理员可以使用。"
    yazhuang.reply("/表决 是否同意修建村道", "zhangjg")
    yazhuang.reply("/同意", "zhangjg")
    assert "还没有绑定花名册" in yazhuang.reply("/同意", "zhangjg-second")
    with app.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Ballot)) == 1
        assert uow.session.get(BindingRequest, 1).status == "pending"


def test_one_account_per_platform_and_nobody_confirms_his_own_binding(app, clock):
    world = build_matrix_world(app)
    yazhuang = world.chat(YAZHUANG)
    assert yazhuang.reply("/绑定 张建国", "zhangjg-second") == "张建国 已绑定了另一个账号，如需更换请联系管理员。"
    # an admin without a DingTalk account asks to bind one, then tries to confirm it himself
    dingtalk = world.chat("dt-lianhu")
    with app.unit_of_work() as uow:
        from storage.repositories import OrgRepository

        org = OrgRepository(uow.session)
        identity = org.identity("dingtalk", "sunli-dt")
        uow.session.delete(identity)
        uow.commit()
    assert dingtalk.reply("/绑定 孙丽", "sunli-new").startswith("📝 已提交绑定申请 #1：孙丽")
    assert world.chat(TOWNSHIP).reply("/绑定 确认 1", "sunli") == "⛔ 这条绑定申请与您本人有关，不能自己确认，请其他管理员处理。"


def test_typed_arguments_that_used_to_crash_get_one_chinese_line_and_the_usage(app, clock):
    world = build_matrix_world(app)
    yazhuang = world.chat(YAZHUANG)
    replies = {
        "/批准 ²": "「²」不是编号，请写数字编号，如 12。",
        "/批准 ①": "「①」不是编号，请写数字编号，如 12。",
        "/批准 1234567890123456789012345": "「1234567890123456…」不是编号，请写数字编号，如 12。",
        "/考勤 0000-01": "月份「0000-01」超出范围。",
        "/考勤 全村 13月": "「13月」不是月份，请写成 10月 或 2026-10。",
        "/会议 新建 9999-12-31 14:30 例会": "日期「9999-12-31」超出范围（只能是前 366 天到后 366 天之内）。",
        "/表决 是否修路 截止 99999999999分钟": "「99999999999分钟」不是有效的截止时间，请写成 20:00 或 30分钟（最长 7 天）。",
    }
    for typed, first_line in replies.items():
        reply = yazhuang.reply(typed, "zhangjg")
        assert reply.split("\n")[0] == first_line, typed
        assert "\n用法：\n" in reply
    assert count(app, Meeting) == count(app, Vote) == 0


def test_full_width_digits_and_a_date_without_year_near_new_year(app, clock):
    world = build_matrix_world(app)
    at(clock, date(2026, 12, 28), 9)
    reply = world.chat(YAZHUANG).reply("/会议 新建 1-5 14:30 新年例会", "zhangjg")
    assert "2027-01-05 14:30" in reply
    world.chat(YAZHUANG).reply("/请假 １２-３０ 家里有事", "lixy")
    assert world.chat(YAZHUANG).reply("/批准 ＃１", "zhangjg").startswith("✅ 请假 #1 已批准")


def test_a_huge_message_is_answered_in_one_short_reply(app, clock):
    world = build_matrix_world(app)
    for typed in ("/" + "字" * 10_000, "/查 " + "字" * 10_000, "/批准 " + "1" * 10_000):
        replies = world.chat(YAZHUANG).say(typed, "zhangjg")
        assert len(replies) == 1 and len(replies[0]) < 300, typed


def test_a_nul_byte_and_invisible_characters_are_cleaned_at_the_edge(app, clock):
    world = build_matrix_world(app)
    at(clock, date(2026, 11, 24), 9)
    assert world.chat(YAZHUANG).reply("/请假 11-30 参加\x00培训\u200b\u202e", "lixy").startswith("📝 请假申请 #1")
    assert "李秀英 09:00 打卡成功" in world.chat(YAZHUANG).reply("/打卡\x00", "lixy")
    with app.unit_of_work() as uow:
        assert uow.session.get(LeaveRequest, 1).reason == "参加培训"


def test_look_alike_names_are_the_same_person_in_chat_and_roster(app, clock, tmp_path):
    from handlers.roster import import_roster
    from storage.models import Member

    world = build_matrix_world(app)
    at(clock, date(2026, 11, 24), 9)
    for name in ("王\u200b伟", "王\u2060伟", "\ufeff王伟"):
        reply = world.chat(YAZHUANG).reply(f"/补卡 {name} 11-23 在镇里开会", "zhangjg")
        assert reply.startswith("✅ 已为 王伟 补卡") or reply == "王伟 11月23日已正常打卡，不需要补卡。", reply
    roster = tmp_path / "roster.csv"
    roster.write_text("乡镇,村,姓名,职务\n芝英镇,雅庄村,周　敏,村干部\n芝英镇 ,雅庄村\u200b,王 伟,村干部\n", encoding="utf-8")
    with app.unit_of_work() as uow:
        report = import_roster(uow.session, roster)
        uow.commit()
    assert (report.created, report.updated) == (0, 2)
    assert count(app, Member) == 9  # 8 of the standard world and the other township's admin


def test_over_long_fields_get_a_chinese_reply_not_a_database_error(app, clock):
    world = build_matrix_world(app)
    reply = world.chat(YAZHUANG).reply("/会议 新建 11-28 14:30 " + "会" * 65, "zhangjg")
    assert reply.startswith("会议名称太长了（最多 64 个字）：「会会会")
    reply = world.chat(YAZHUANG).reply("/会议 新建 11-28 14:30 例会 地点：" + "楼" * 129, "zhangjg")
    assert reply.startswith("地点太长了（最多 128 个字）")
    assert count(app, Meeting) == 0
    huge = "/决议 修路 | 应到99999999999 实到9 | 同意9 反对0 弃权0 | 19:00-19:30"
    assert world.chat(YAZHUANG).reply(huge, "zhangjg") == "人数或票数「99999999999」太大了。"
    long_meeting = "/决议 主题:修路 会议:" + "会" * 101 + " 应到:10 实到:9 同意:9 反对:0 弃权:0 开始:19:00 结束:19:30"
    assert world.chat(YAZHUANG).reply(long_meeting, "zhangjg") == "会议太长了（最多 100 个字）。"
    assert count(app, Resolution) == 0
    long_nickname = message("/绑定 周敏", sender="newcomer", sender_name="昵" * 300, chat=YAZHUANG, at=clock.now())
    assert app.dispatcher.handle(long_nickname).replies[0].text.startswith("📝 已提交绑定申请 #1：周敏")


def test_a_member_named_like_a_formula_stays_text_in_the_attendance_workbook(app, clock, tmp_path):
    from bot import cli_report
    from handlers.roster import import_roster
    import argparse

    world = build_matrix_world(app)
    roster = tmp_path / "roster.csv"
    evil = ['=HYPERLINK("http://e.x","点我")', "=1+1", "+1", "-1", "@SUM(A1)"]
    roster.write_text(
        "乡镇,村,姓名,职务\n" + "".join(f'芝英镇,雅庄村,"{n.replace(chr(34), chr(34) * 2)}",村干部\n' for n in evil),
        encoding="utf-8",
    )
    with app.unit_of_work() as uow:
        import_roster(uow.session, roster)
        uow.commit()
    parser = argparse.ArgumentParser(prog="cadrebot")
    cli_report.register(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "out.xlsx"
    args = parser.parse_args(["report", "attendance", "--month", "2026-11", "--township", "芝英镇", "--xlsx", str(out)])
    assert args.func(args, app=world.app) == 0
    book = load_workbook(out)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = {c.value for c in cells if isinstance(c.value, str)}
    assert set(evil) <= names  # shown exactly as typed, as text


def test_a_locked_database_gets_busy_and_the_retry_of_the_same_id_is_handled(app, clock, database_url):
    world = build_matrix_world(app)
    at(clock, date(2026, 11, 24), 8)
    release = _hold_write_lock(app, database_url)
    try:
        first = app.dispatcher.handle(message("/打卡", sender="lixy", chat=YAZHUANG, message_id="same-id", at=clock.now()))
    finally:
        release()
    assert [r.text for r in first.replies] == [BUSY]
    assert count(app, ProcessedMessage) == 0 and count(app, Checkin) == 0
    app.dispatcher.handle(message("/打卡", sender="lixy", chat=YAZHUANG, message_id="same-id", at=clock.now()))
    texts = [r.text for r in outbox_rows(app, "wecom", YAZHUANG)]
    assert texts[0] == BUSY and texts[-1].startswith("✅ 李秀英 08:00 打卡成功")
    assert count(app, Checkin) == 1


def _hold_write_lock(app, database_url: str):
    """Another process holds the write lock past the bot's (shortened) wait: a real lock, not a mock."""
    app.engine.dispose()
    if database_url.startswith("sqlite"):
        @event.listens_for(app.engine, "connect")
        def short_wait(dbapi_connection, record):  # runs after storage.db's 30 s busy_timeout
            dbapi_connection.execute("PRAGMA busy_timeout=200")

        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")

        def release():
            holder.execute("ROLLBACK")
            holder.close()
            event.remove(app.engine, "connect", short_wait)
            app.engine.dispose()

        return release

    @event.listens_for(app.engine, "connect")
    def short_lock_wait(dbapi_connection, record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        dbapi_connection.commit()

    holder = app.engine.pool._creator()  # a separate connection, outside the bot's pool
    holder.autocommit = False
    with holder.cursor() as cursor:
        cursor.execute("LOCK TABLE processed_messages IN ACCESS EXCLUSIVE MODE")

    def release():
        holder.rollback()
        holder.close()
        event.remove(app.engine, "connect", short_lock_wait)
        app.engine.dispose()

    return release
