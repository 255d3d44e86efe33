"""/绑定: a member whose account the roster lacks links it, an admin or their 书记 confirms."""

from sqlalchemy import select

from storage.models import BindingRequest
from storage.repositories import OrgRepository
from tests.factories import outbox_rows


def member_of_account(app, platform, user_id):
    with app.unit_of_work() as uow:
        member = OrgRepository(uow.session).member_by_identity(platform, user_id)
        return member.name if member else None


def test_request_then_admin_confirms_then_member_can_check_in(world):
    chat = world.chat()
    assert "/绑定" in chat.reply("/打卡", "zhoumin-wx")
    reply = chat.reply("/绑定 周敏", "zhoumin-wx")
    assert reply.startswith("📝 已提交绑定申请 #1：周敏（雅庄村）")
    assert member_of_account(world.app, "wecom", "zhoumin-wx") is None
    assert "已确认" in world.chat("wx-zhiying").reply("/绑定 确认 1", "sunli")
    assert member_of_account(world.app, "wecom", "zhoumin-wx") == "周敏"
    assert chat.reply("/打卡", "zhoumin-wx").startswith("✅ 周敏")


def test_request_mentions_the_admins(world):
    world.chat().say("/绑定 周敏", "zhoumin-wx")
    assert outbox_rows(world.app, "wecom", "wx-yazhuang")[-1].mentions == ["sunli"]


def test_only_an_admin_confirms_not_a_cadre_nor_the_village_secretary(world):
    chat = world.chat()
    chat.reply("/绑定 周敏", "zhoumin-wx")
    assert chat.reply("/绑定 确认 1", "lixy") == "⛔ /绑定 确认 只有管理员可以使用。"
    assert chat.reply("/绑定 确认 1", "zhangjg") == "⛔ /绑定 确认 只有管理员可以使用。"
    assert member_of_account(world.app, "wecom", "zhoumin-wx") is None
    assert "已确认" in chat.reply("/绑定 确认 1", "sunli")


def test_secretary_of_another_village_may_not_confirm(world):
    world.chat().reply("/绑定 周敏", "zhoumin-wx")
    assert "⛔" in world.chat("dt-lianhu").reply("/绑定 确认 1", "liuy")


def test_reject(world):
    world.chat().reply("/绑定 周敏", "zhoumin-wx")
    assert world.chat().reply("/绑定 拒绝 1", "sunli") == "绑定申请 #1（周敏）已被拒绝。"
    assert member_of_account(world.app, "wecom", "zhoumin-wx") is None


def test_name_not_on_roster_is_refused_and_nothing_stored(world):
    assert world.chat().reply("/绑定 马云", "x1") == "花名册里没有「马云」，请核对姓名，或请管理员先导入花名册。"
    assert world.chat().reply("/绑定 确认 1", "sunli") == "没有待处理的绑定申请 #1。"


def test_member_who_already_has_an_account_cannot_be_claimed(world):
    assert world.chat().reply("/绑定 李秀英", "impostor") == "李秀英 已绑定了另一个账号，如需更换请联系管理员。"


def test_bound_sender_is_told_who_they_are(world):
    assert world.chat().reply("/绑定 周敏", "lixy") == "您的账号已绑定为 李秀英（雅庄村）。"


def test_second_request_from_same_account_points_to_the_first(world):
    world.chat().reply("/绑定 周敏", "zhoumin-wx")
    assert world.chat().reply("/绑定 周敏", "zhoumin-wx").startswith("您已有待确认的绑定申请 #1")


def test_wrong_use_shows_usage(world):
    assert world.chat().reply("/绑定", "x1").startswith("用法：\n/绑定 姓名")
    assert world.chat().reply("/绑定 确认 abc", "sunli").startswith("「abc」不是编号，请写数字编号，如 12。\n用法：")


def test_binding_in_a_chat_no_village_or_township_owns_is_refused_by_the_router_and_nothing_stored(world):
    """/绑定 is declared for work groups: a one-to-one chat, or a group the configuration has not bound
    (the bot knows no township there to look the name up in), is refused before the handler runs."""
    for chat_id in ("user:zhoumin-wx", "wx-unknown-group"):
        assert world.chat(chat_id).reply("/绑定 周敏", "zhoumin-wx") == (
            "⛔ /绑定 请在村工作群或镇工作群里使用（这个聊天还没有登记到任何村或镇）。")
    with world.app.unit_of_work() as uow:
        assert uow.session.scalars(select(BindingRequest)).all() == []
