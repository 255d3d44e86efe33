"""How chat text becomes a command: the forms cadres actually type."""

import pytest

from bot.commands import parse_command

KNOWN = {"打卡", "帮助", "绑定"}
BOT = ["村务助手"]


@pytest.mark.parametrize(
    "text",
    ["/打卡", "／打卡", "打卡", "  /打卡  ", "@村务助手 /打卡", "@村务助手 打卡", "@村务助手/打卡", "＠村务助手　／打卡",
     "@村务助手\u2005/打卡"],
)
def test_every_form_of_checkin_is_the_checkin_command(text):
    call = parse_command(text, KNOWN, BOT)
    assert call is not None and call.name == "打卡" and call.args == ()


def test_arguments_split_on_ascii_and_fullwidth_spaces():
    call = parse_command("/绑定　周敏  雅庄村", KNOWN, BOT)
    assert call.args == ("周敏", "雅庄村")
    assert call.arg_text == "周敏  雅庄村"


def test_ordinary_chat_is_not_a_command():
    assert parse_command("今天打卡了吗", KNOWN, BOT) is None
    assert parse_command("打卡了", KNOWN, BOT) is None
    assert parse_command("", KNOWN, BOT) is None


def test_unknown_word_counts_only_with_a_slash_or_mention():
    assert parse_command("吃饭", KNOWN, BOT) is None
    assert parse_command("/吃饭", KNOWN, BOT).explicit
    assert parse_command("@村务助手 吃饭", KNOWN, BOT).explicit


def test_mention_of_someone_else_is_not_addressed_to_the_bot():
    assert parse_command("@张建国 吃饭", KNOWN, BOT) is None
