"""Who sent a message and in which chat, as each adapter reads it: a typed message and a card tap
from the same person in the same chat must land in the same chat (the reply and the redrawn card
go there). Group: the group's id; one-to-one: the person's own chat (WeCom AI bot: the user id,
DingTalk: `user:<staff id>`)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from dingtalk_stream import ChatbotMessage

from bot.adapters.dingtalk import card_tap
from bot.adapters.dingtalk import to_inbound as dingtalk_message
from bot.adapters.wecom import to_inbound as wecom_message
from bot.adapters.wecom_long import to_tap as wecom_tap
from bot.clock import TZ

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)


def origin(message) -> tuple[str, str, bool]:
    return message.sender_id, message.chat_id, message.is_group


@pytest.mark.parametrize("group, expected", [
    (True, ("lixy", "wx-yazhuang", True)),
    (False, ("lixy", "lixy", False)),
])
def test_wecom_a_message_and_a_tap_of_the_same_chat_land_in_the_same_chat(group, expected):
    where = {"chatid": "wx-yazhuang", "chattype": "group"} if group else {"chattype": "single"}
    message = {"msgid": "m1", "from": {"userid": "lixy"}, "msgtype": "text", "text": {"content": "/打卡"}, **where}
    tap = {"msgid": "e1", "from": {"userid": "lixy"}, "msgtype": "event", **where,
           "event": {"eventtype": "template_card_event",
                     "template_card_event": {"event_key": "/打卡", "task_id": "checkin_1_20261124"}}}
    assert origin(wecom_message(message, NOW)) == origin(wecom_tap(tap, "req-1", NOW)) == expected


def test_wecom_a_tap_without_a_sender_is_not_a_message():
    tap = {"msgid": "e1", "chattype": "group", "chatid": "wx-yazhuang",
           "event": {"eventtype": "template_card_event", "template_card_event": {"event_key": "/打卡"}}}
    assert wecom_tap(tap, "req-1", NOW) is None


@pytest.mark.parametrize("group, expected", [
    (True, ("liuy", "dt-lianhu", True)),
    (False, ("liuy", "user:liuy", False)),
])
def test_dingtalk_a_message_and_a_tap_of_the_same_chat_land_in_the_same_chat(group, expected):
    message = ChatbotMessage.from_dict({
        "conversationId": "dt-lianhu" if group else "cid-single", "conversationType": "2" if group else "1",
        "msgId": "m1", "senderNick": "刘洋", "senderStaffId": "liuy", "msgtype": "text", "text": {"content": "/同意"},
    })
    tap = {"outTrackId": "vote_1.abc", "userId": "liuy", "spaceType": "IM_GROUP" if group else "IM_ROBOT",
           "spaceId": "dt-lianhu" if group else "liuy",
           "content": json.dumps({"cardPrivateData": {"params": {"command": "/同意"}}})}
    assert origin(dingtalk_message(message, NOW)) == origin(card_tap(tap, "frame-1", NOW)) == expected
    assert dingtalk_message(message, NOW).sender_name == "刘洋"
