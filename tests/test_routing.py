"""What the group sees for help, unknown commands, aliases and crashes."""

from sqlalchemy import func, select

from bot.app import ROUTERS
from handlers import checkin
from storage.models import Checkin, ProcessedMessage
from tests.factories import outbox_rows


def test_help_lists_every_command_in_one_message_and_describes_each_on_request(world):
    reply = world.chat().reply("/帮助", "lixy")  # one message, however many commands there are
    listed = set(reply.replace("\n", " ").replace("：", " ").split())
    for router in ROUTERS:
        for command in router.commands:
            if command.sub is None:
                assert f"/{command.name}" in listed
                assert f"/{command.name} — {command.help}" in world.chat().reply(f"/帮助 {command.name}", "lixy")
            else:  # a subcommand is listed with its command: /帮助 会议 shows /会议 新建
                assert f"/{command.words} — {command.help}" in world.chat().reply(f"/帮助 {command.name}", "lixy")


def test_help_for_one_command_shows_usage_and_aliases(world):
    reply = world.chat().reply("/帮助 打卡", "lixy")
    assert "每天上班打卡" in reply and "用法" in reply and "/上班打卡" in reply


def test_help_works_for_senders_not_on_the_roster(world):
    assert "/打卡" in world.chat().reply("/帮助", "stranger")


def test_unknown_command_gets_short_chinese_help_with_a_suggestion(world):
    assert world.chat().reply("/打咔", "lixy") == "没有「/打咔」这个命令，您是不是要找 /打卡？发送 /帮助 查看全部命令。"
    assert world.chat().reply("/天气", "lixy") == "没有「/天气」这个命令。发送 /帮助 查看全部命令。"


def test_ordinary_chat_gets_no_reply(world):
    assert world.chat().say("大家早上好", "lixy") == []


def test_alias_runs_the_same_command(world):
    assert world.chat().reply("/上班打卡", "lixy").startswith("✅ 李秀英")


def test_a_crashing_handler_gets_a_kind_reply_and_leaves_nothing_half_done(world, monkeypatch):
    original = checkin.CheckinRepository.order_of

    def broken(self, row):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(checkin.CheckinRepository, "order_of", broken)
    reply = world.chat().reply("/打卡", "lixy", message_id="boom")
    assert reply.startswith("😥 抱歉，处理「/打卡」时出错了")
    with world.app.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count(Checkin.id))) == 0
        # the message is marked handled, so the platform's retry does not apologise twice
        assert uow.session.scalar(select(func.count(ProcessedMessage.id))) == 1
    monkeypatch.setattr(checkin.CheckinRepository, "order_of", original)
    assert world.chat().say("/打卡", "lixy", message_id="boom") == []


def test_group_commands_from_a_chat_that_is_no_village_group_say_where_to_use_them(world):
    """A private chat with the WeCom app (or any unregistered chat) is no place for minutes or votes."""
    private = world.chat("user:zhangjg")
    for command in ("/纪要 开始 党员大会", "/决议 修路 | 应到10 实到9 | 同意9 反对0 弃权0", "/表决 是否修路", "/同意"):
        name = "纪要 开始" if command.startswith("/纪要") else command.split()[0].lstrip("/")
        assert private.reply(command, "zhangjg") == f"⛔ /{name} 请在村工作群或镇工作群里使用（这个聊天还没有登记到任何村或镇）。"
    assert outbox_rows(world.app, "wecom", "user:zhangjg")  # answered, but nothing else stored
    with world.app.unit_of_work() as uow:
        from storage.models import MinutesSession, Resolution, Vote

        for model in (MinutesSession, Resolution, Vote):
            assert uow.session.scalar(select(func.count(model.id))) == 0


def test_every_command_family_has_a_chinese_label_in_the_help_list():
    from handlers.help import FAMILY_LABELS

    families = {command.family for router in ROUTERS for command in router.commands}
    assert families <= set(FAMILY_LABELS), "add the new family's Chinese name to handlers.help.FAMILY_LABELS"
