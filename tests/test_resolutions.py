"""Resolutions as the secretary and the township admin see them: pasted text → confirm → card,
the structured /决议, arithmetic and quorum checks, and publication to the township group."""

from sqlalchemy import func, select

from storage.models import Member, Resolution
from storage.repositories import OrgRepository
from tests.factories import outbox_rows

KINDERGARTEN = (
    "今晚19时召开党员和村民代表会议，34人参加，19时34分结束，"
    "100%同意将村里3000余平方米集体土地用于筹建公办幼儿园"
)


def count_resolutions(app) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(Resolution.id)))


def at_evening(clock, hour=19, minute=40):
    clock.set(clock.now().replace(hour=hour, minute=minute))


def test_kindergarten_text_is_understood_then_confirmed_into_a_card(world, clock):
    at_evening(clock)
    chat = world.chat()
    preview = chat.reply(KINDERGARTEN, "zhangjg")
    assert "事项：将村里3000余平方米集体土地用于筹建公办幼儿园" in preview
    assert "时间：19:00–19:34" in preview and "实到 34" in preview and "同意 34，反对 0，弃权 0" in preview
    assert "/确认" in preview
    assert count_resolutions(world.app) == 0
    card = chat.reply("/确认", "zhangjg")
    assert card.startswith("✅ 已保存。\n📋 决议 #1 · 雅庄村")
    assert "会议：党员和村民代表会议 19:00–19:34" in card
    assert "应到 34 人，实到 34 人（法定人数过半：✅ 达到）" in card
    assert "结果：✅ 通过" in card
    assert "步骤：论证 11-24 19:00 ✅ → 召开会议 11-24 19:00 ✅ → 形成决议 11-24 19:40 ✅ → 审核公开 ⏳" in card
    assert count_resolutions(world.app) == 1
    assert chat.reply("/确认", "zhangjg").startswith("没有等您确认的会议决议")


def test_text_missing_fields_says_which_and_modify_fills_them(world, clock):
    at_evening(clock)
    chat = world.chat()
    preview = chat.reply("今晚召开两委会议，9人参加，一致同意修建村东机耕路", "zhangjg")
    assert "还缺少：开始时间、结束时间。" in preview
    refusal = chat.reply("/确认", "zhangjg")
    assert "还缺少：开始时间、结束时间。" in refusal
    assert count_resolutions(world.app) == 0
    assert "还缺少：结束时间" in chat.reply("/修改 开始 19:00", "zhangjg")
    assert "时间：19:00–19:30" in chat.reply("/修改 结束 19时30分", "zhangjg")
    assert "事项：修建村东机耕路" in chat.reply("/确认", "zhangjg")
    assert count_resolutions(world.app) == 1


def test_modify_with_an_unknown_field_explains(world, clock):
    chat = world.chat()
    chat.reply(KINDERGARTEN, "zhangjg")
    assert chat.reply("/修改 颜色 红", "zhangjg").startswith("不认识「颜色」")


def test_ordinary_chat_and_non_secretaries_are_not_answered(world):
    chat = world.chat()
    assert chat.say("今天下午三点开会，大家别忘了", "zhangjg") == []
    assert chat.say("明晚七点召开村民代表会议表决村庄规划，请各位代表准时参加", "zhangjg") == []
    assert chat.say(KINDERGARTEN, "lixy") == []  # a 村干部 pasting it is not a secretary's report


def test_structured_resolution_checks_and_replies_with_card(world, clock):
    at_evening(clock)
    card = world.chat().reply("/决议 筹建公办幼儿园 | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34", "zhangjg")
    assert card.startswith("📋 决议 #1 · 雅庄村\n事项：筹建公办幼儿园")
    assert "表决：同意 34，反对 0，弃权 0" in card and "结果：✅ 通过" in card


def test_structured_votes_more_than_present_is_refused_and_nothing_stored(world):
    chat = world.chat()
    reply = chat.reply("/决议 修建村道 | 应到34 实到30 | 同意30 反对1 弃权0 | 19:00-19:34", "zhangjg")
    assert reply == "❌ 数字对不上：同意、反对、弃权合计 31 人，超过实到 30 人。请核对后重发。"
    reply = chat.reply("/决议 修建村道 | 应到30 实到34 | 同意30 反对1 弃权0 | 19:00-19:34", "zhangjg")
    assert reply == "❌ 数字对不上：实到 34 人，超过应到 30 人。请核对后重发。"
    assert count_resolutions(world.app) == 0


def test_structured_missing_field_gets_usage(world):
    reply = world.chat().reply("/决议 修建村道 | 应到34 实到30", "zhangjg")
    assert reply.startswith("🤔 还缺少：开始时间、结束时间、表决结果。\n用法：\n/决议 主题 |")


def test_quorum_fail_is_recorded_as_invalid(world):
    card = world.chat().reply("/决议 主题:修建村道 应到:34 实到:17 同意:17 反对:0 弃权:0 开始:19:00 结束:19:30", "zhangjg")
    assert "（法定人数过半：❌ 未达到）" in card and "结果：❌ 未达到法定人数，决议无效" in card


def test_personnel_matters_need_two_thirds(world):
    chat = world.chat()
    text = "/决议 主题:调整村民小组长 类别:人事任免 应到:30 实到:{present} 同意:{present} 反对:0 弃权:0 开始:19:00 结束:19:30"
    assert "法定人数三分之二：❌ 未达到" in chat.reply(text.format(present=19), "zhangjg")
    assert "法定人数三分之二：✅ 达到" in chat.reply(text.format(present=20), "zhangjg")


def test_only_secretaries_record_resolutions(world):
    reply = world.chat().reply("/决议 修建村道 | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34", "lixy")
    assert reply.startswith("⛔ /决议 只有")
    assert count_resolutions(world.app) == 0


def test_publication_by_admin_forwards_card_to_township_group(world, clock):
    at_evening(clock)
    chat = world.chat()
    chat.reply(KINDERGARTEN, "zhangjg")
    chat.reply("/确认", "zhangjg")
    assert chat.reply("/公开 1", "zhangjg").startswith("⛔ /公开 只有管理员")
    clock.advance(hours=14)
    township = world.chat("wx-zhiying")
    said = township.say("/公开 1", "sunli")
    assert said[0].startswith("📢 审核公开\n📋 决议 #1 · 雅庄村")
    assert "审核公开 11-25 09:40 ✅" in said[0]
    assert said[1] == "✅ 决议 #1 已审核公开，已转发到镇干部群（1 个）。"
    assert township.reply("/公开 1", "sunli") == "决议 #1 已于 11-25 09:40 审核公开。"
    assert len([r for r in outbox_rows(world.app, "wecom", "wx-zhiying") if r.text.startswith("📢")]) == 1


def test_a_failed_resolution_cannot_be_published(world):
    world.chat().reply("/决议 修建村道 | 应到34 实到34 | 同意10 反对20 弃权4 | 19:00-19:34", "zhangjg")
    assert world.chat("wx-zhiying").reply("/公开 1", "sunli") == "决议 #1 没有通过，不能公开。"


def test_a_bare_confirm_in_chat_is_left_alone(world):
    chat = world.chat()
    assert chat.say("确认", "lixy") == []
    assert chat.reply("/确认", "lixy").startswith("没有等您确认的会议决议")


def test_counts_the_text_determines_are_filled_and_the_card_says_how(world, clock):
    at_evening(clock)
    chat = world.chat()
    text = "今晚召开党员大会，实到30人，同意25票，弃权5票，通过村集体经济合作社年度分红方案，19:00-19:50"
    preview = chat.reply(text, "zhangjg")
    assert "表决：同意 25，反对 0（由实到与同意、弃权推算），弃权 5" in preview
    assert "还缺少" not in preview and "/确认" in preview
    assert "表决：同意 25，反对 0，弃权 5" in chat.reply("/确认", "zhangjg")


def test_unanimous_without_attendance_asks_only_for_attendance(world, clock):
    at_evening(clock)
    chat = world.chat()
    preview = chat.reply("今晚19时召开村民代表会议，19时34分结束，一致同意筹建公办幼儿园", "zhangjg")
    assert "表决：一致同意，按实到人数计" in preview
    assert "还缺少：实到人数。" in preview
    preview = chat.reply("/修改 实到 30", "zhangjg")
    assert "表决：同意 30，反对 0，弃权 0（同意、反对、弃权：一致同意，按实到 30 人计）" in preview
    assert "结果：✅ 通过" in chat.reply("/确认", "zhangjg")


def test_a_meeting_without_a_decision_gets_one_short_question(world, clock):
    at_evening(clock)
    chat = world.chat()
    reply = chat.reply("今晚19时召开村民代表会议，34人参加，19时34分结束，会上讨论了筹建公办幼儿园", "zhangjg")
    assert reply == "🤔 会上形成决议了吗？有的话，请把决议事项和表决结果一起发上来（如：一致同意修建村道）。"
    assert chat.reply("/确认", "zhangjg").startswith("没有等您确认的会议决议")


def test_contradicting_counts_are_asked_and_never_stored(world, clock):
    at_evening(clock)
    chat = world.chat()
    text = "今晚召开村民代表会议，实到25人，同意23票，反对1票，弃权3票，通过村级垃圾分类积分制度，19:00-19:40"
    question = "❓ 同意、反对、弃权合计 27 人，超过实到 25 人，哪个数不对？"
    assert question in chat.reply(text, "zhangjg")
    assert question in chat.reply("/确认", "zhangjg")
    assert count_resolutions(world.app) == 0
    assert "请核对" in chat.reply("/修改 弃权 1", "zhangjg")
    assert "表决：同意 23，反对 1，弃权 1" in chat.reply("/确认", "zhangjg")
    assert count_resolutions(world.app) == 1


def test_a_count_said_twice_differently_is_a_question(world, clock):
    at_evening(clock)
    chat = world.chat()
    reply = chat.reply("今晚19时召开两委会议，实到9人，20时结束，同意9票，一致同意修建村道，参加8人", "zhangjg")
    assert "❓ 实到写了两个数：9 和 8，以哪个为准？" in reply
    assert "请核对" in chat.reply("/修改 实到 9", "zhangjg")


def test_another_townships_admin_finds_no_resolution_to_publish(world, clock):
    """The only guard: the resolution is looked up in the admin's own township (the router lets an
    admin use /公开 in a private chat, where no group says which township he means)."""
    at_evening(clock)
    world.chat().reply(KINDERGARTEN, "zhangjg")
    world.chat().reply("/确认", "zhangjg")
    with world.app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        other = org.get_or_create_township("王宅镇")
        admin = Member(township_id=other.id, name="吴刚", role="管理员", active=True)
        uow.session.add(admin)
        uow.session.flush()
        org.set_identity(admin, "wecom", "wugang")
        uow.commit()
    assert world.chat("user:wugang").reply("/公开 1", "wugang") == "没有找到决议 #1。"
    with world.app.unit_of_work() as uow:
        assert uow.session.get(Resolution, 1).published_at is None
