"""DingTalk over the real protocol on loopback: the real dingtalk-stream client opens a connection
at a local stand-in (connections/open + websocket), receives a chatbot callback frame, acks it, and
the reply reaches the local session webhook."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.platform_config import DingTalkSettings, OutboxSettings
from bot.serve import Server
from storage.models import Checkin, OutboxMessage
from tests.standins import until


@pytest.fixture
def app(settings, clock, standin):
    dingtalk = DingTalkSettings(enabled=True, client_id="ding-app", client_secret="s3cret", api_base=standin.base)
    application = build_app(
        settings.model_copy(update={"dingtalk": dingtalk, "outbox": OutboxSettings(poll_seconds=0.05)}),
        clock=clock,
        migrate_db=False,
    )
    yield application
    application.close()


@pytest.fixture
async def server(app, world, standin):
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    await asyncio.wait_for(standin.connected.wait(), 10)
    yield bot
    await bot.stop()


def chatbot_frame(standin: StandIn, frame_id: str, msg_id: str, text: str, sender: str = "liuy") -> dict:
    data = {
        "conversationId": "dt-lianhu",
        "conversationType": "2",
        "msgId": msg_id,
        "senderNick": "刘洋",
        "senderStaffId": sender,
        "senderId": "$:LWCP_v1:$abc",
        "isInAtList": True,
        "sessionWebhook": f"{standin.base}/session/{msg_id}",
        "sessionWebhookExpiredTime": 1795000000000,
        "robotCode": "ding-app",
        "chatbotUserId": "$:LWCP_v1:$bot",
        "createAt": 1795000000000,
        "msgtype": "text",
        "text": {"content": text},
    }
    return {
        "specVersion": "1.0",
        "type": "CALLBACK",
        "headers": {
            "appId": "app-1",
            "connectionId": "conn-1",
            "contentType": "application/json",
            "messageId": frame_id,
            "time": "1795000000000",
            "topic": "/v1.0/im/bot/messages/get",
        },
        "data": json.dumps(data, ensure_ascii=False),
    }


def count(app, column) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(column)))


async def test_client_subscribes_to_chatbot_messages(server, standin):
    assert {"type": "CALLBACK", "topic": "/v1.0/im/bot/messages/get"} in standin.subscriptions


async def test_checkin_frame_is_acked_and_answered_through_the_session_webhook(server, standin, app):
    await standin.push(chatbot_frame(standin, "frame-1", "msg-1", " /打卡"))
    await until(lambda: standin.acks)
    [ack] = standin.acks
    assert ack["code"] == 200
    assert ack["headers"]["messageId"] == "frame-1"
    assert server.inbox.join()
    assert count(app, Checkin.id) == 1
    report = await asyncio.to_thread(server.worker.run_once)
    assert report.sent == 1
    [call] = standin.sent("/session/msg-1")
    assert call.body["text"] == {"content": "✅ 刘洋 07:50 打卡成功，今日第 1 位"}


async def test_a_redelivered_frame_is_acked_again_but_has_no_second_effect(server, standin, app):
    for frame_id in ("frame-1", "frame-1-again"):  # DingTalk redelivers when an ack is late
        await standin.push(chatbot_frame(standin, frame_id, "msg-same", "/打卡"))
    await until(lambda: len(standin.acks) == 2)
    assert server.inbox.join()
    assert count(app, Checkin.id) == 1
    assert count(app, OutboxMessage.id) == 1
    await asyncio.to_thread(server.worker.run_once)
    assert len(standin.sent("/session/")) == 1


async def test_scheduled_sends_use_the_robot_api_with_one_cached_token(server, standin, app, world):
    from bot.messages import Reply
    from bot.outbox import OutboxWriter
    from storage.repositories import OrgRepository

    with app.unit_of_work() as uow:
        group = OrgRepository(uow.session).group("dingtalk", "dt-lianhu")
        writer = OutboxWriter(uow.session, app.clock)
        for n in (1, 2):
            writer.to_group(group, Reply(f"第{n}条提醒"), dedupe_key=f"reminder-{n}")
        uow.commit()
    report = await asyncio.to_thread(server.worker.run_once)
    assert report.sent == 2
    calls = standin.sent("/v1.0/robot/groupMessages/send")
    assert [json.loads(c.body["msgParam"])["content"] for c in calls] == ["第1条提醒", "第2条提醒"]
    assert {c.body["openConversationId"] for c in calls} == {"dt-lianhu"}
    assert {c.headers["x-acs-dingtalk-access-token"] for c in calls} == {"token-1"}
    assert standin.token_fetches == 1


async def test_a_reply_whose_session_webhook_expired_goes_through_the_robot_api(server, standin, app):
    standin.expired_sessions.add("msg-late")
    await standin.push(chatbot_frame(standin, "frame-9", "msg-late", "/打卡"))
    await until(lambda: standin.acks)
    assert server.inbox.join()
    report = await asyncio.to_thread(server.worker.run_once)
    assert report.sent == 1
    [call] = standin.sent("/v1.0/robot/groupMessages/send")
    assert json.loads(call.body["msgParam"]) == {"content": "✅ 刘洋 07:50 打卡成功，今日第 1 位"}


async def test_a_picture_is_downloaded_by_its_download_code(server, standin, app):
    from bot.messages import Attachment

    standin.media["code-1"] = b"\xff\xd8\xff photo of the minutes"
    data = await asyncio.to_thread(app.media_fetchers["dingtalk"].fetch, Attachment("image", "code-1"))
    assert data == b"\xff\xd8\xff photo of the minutes"


async def test_a_frame_with_unreadable_data_is_acked_kept_as_rejected_and_the_next_one_handled(
    server, standin, app, caplog
):
    from storage.models import InboxMessage

    broken = chatbot_frame(standin, "frame-bad", "msg-bad", "/打卡") | {"data": "{not json"}
    await standin.push(broken)
    await standin.push(chatbot_frame(standin, "frame-ok", "msg-ok", "/打卡"))  # same connection
    await until(lambda: len(standin.acks) == 2)
    assert {a["headers"]["messageId"]: a["code"] for a in standin.acks} == {"frame-bad": 200, "frame-ok": 200}
    assert server.inbox.join()
    with app.unit_of_work() as uow:
        statuses = dict(uow.session.execute(select(InboxMessage.message_id, InboxMessage.status)).all())
    assert statuses == {"frame:frame-bad": "rejected", "msg-ok": "handled"}
    assert count(app, Checkin.id) == 1
    assert any("frame-bad" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
