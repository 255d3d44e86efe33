"""WeCom's long connection over the real protocol on loopback: the bot's own client against a local
websocket stand-in of wss://openws.work.weixin.qq.com (tests/wecom_ws_standin.py). Replies,
proactive sends and card updates are asserted on the wire."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import build_app
from bot.cli_serve import check_settings
from bot.platform_config import OutboxSettings, WeComSettings
from bot.serve import Server
from scheduler.attendance_jobs import send_checkin_reminders
from scheduler.runtime import bind
from storage.models import Checkin, InboxMessage, OutboxMessage
from tests.factories import outbox_rows
from tests.standins import until
from tests.wecom_ws_standin import BOT_ID, SECRET, WeComWsStandIn


@pytest.fixture
async def wecom_ws():
    stand_in = WeComWsStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


def long_connection(url: str, base: str, secret: str = SECRET, heartbeat: float = 30.0) -> WeComSettings:
    return WeComSettings(
        enabled=True, mode="long_connection", bot_id=BOT_ID, bot_secret=SecretStr(secret), ws_url=url,
        api_base=base, webhook_keys={"wx-yazhuang": "key-yazhuang"},
        heartbeat_seconds=heartbeat, reconnect_first_seconds=0.02, reconnect_max_seconds=0.1,
    )


@pytest.fixture
def heartbeat() -> float:
    """WeCom's 30 s: no ping during a test, unless the test asks for a faster one."""
    return 30.0


@pytest.fixture
def app(settings, clock, standin, wecom_ws, heartbeat):
    wecom = long_connection(wecom_ws.url, standin.base, heartbeat=heartbeat)
    application = build_app(
        settings.model_copy(update={"wecom": wecom, "outbox": OutboxSettings(poll_seconds=0.05)}),
        clock=clock, migrate_db=False,
    )
    yield application
    application.close()


@pytest.fixture
async def server(app, world, wecom_ws):
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    await until(lambda: bot.wecom_link.ready.is_set())
    yield bot
    await bot.stop()


def count(app, column) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(column)))


async def deliver(server: Server):
    return await asyncio.to_thread(server.worker.run_once)


async def handled(server: Server) -> None:
    assert await asyncio.to_thread(server.inbox.join)


async def queue_reminders(app) -> None:
    """The morning reminder job, run as the scheduler would (a card for 雅庄村's group)."""
    bind(app)
    try:
        await asyncio.to_thread(send_checkin_reminders)
    finally:
        bind(None)


async def test_the_bot_subscribes_with_its_id_and_secret(server, wecom_ws):
    [subscribe] = wecom_ws.sent("aibot_subscribe")
    assert subscribe["body"] == {"bot_id": BOT_ID, "secret": SECRET}
    assert server.wecom_link.state == "ready"


async def test_a_checkin_message_is_answered_with_respond_msg_on_its_req_id(server, wecom_ws, standin, app):
    req_id = await wecom_ws.push_message("@村务助手\u2005/打卡")
    await until(lambda: count(app, Checkin.id) == 1)
    await handled(server)
    assert (await deliver(server)).sent == 1
    [reply] = wecom_ws.sent("aibot_respond_msg")
    assert reply["headers"]["req_id"] == req_id
    assert reply["body"]["msgtype"] == "stream"
    assert reply["body"]["stream"]["finish"] is True
    assert reply["body"]["stream"]["content"] == "✅ 张建国 07:50 打卡成功，今日第 1 位"
    assert standin.sent("/cgi-bin/webhook/send") == []


@pytest.mark.parametrize("heartbeat", [0.2])
async def test_pings_are_sent_and_two_unanswered_ones_mean_reconnect(server, wecom_ws):
    await until(lambda: len(wecom_ws.sent("ping")) >= 3)
    assert wecom_ws.connections == 1  # answered pings keep the one connection
    wecom_ws.answer_pings = False
    await until(lambda: wecom_ws.connections == 2 and wecom_ws.live)
    wecom_ws.answer_pings = True
    assert wecom_ws.subscribes == 2
    await until(lambda: server.wecom_link.state == "ready")


async def test_a_server_close_reconnects_and_messages_flow_again(server, wecom_ws, app):
    await wecom_ws.drop(code=1001)  # "going away": the official SDK 1.0.2 silently stops here
    await until(lambda: wecom_ws.subscribes == 2 and wecom_ws.live)
    await until(lambda: server.wecom_link.state == "ready")
    await wecom_ws.push_message("/打卡", user="lixy")
    await until(lambda: count(app, Checkin.id) == 1)


async def test_an_unreadable_frame_is_kept_as_rejected_and_the_connection_goes_on(server, wecom_ws, app):
    await wecom_ws.push_raw("this is not json")
    await wecom_ws.push_raw(json.dumps({"cmd": "aibot_msg_callback", "headers": {"req_id": "r"}, "body": {}}))  # empty
    await wecom_ws.push_raw(json.dumps({"cmd": "aibot_msg_callback", "headers": {"req_id": "r2"}, "body": {
        "chatid": "wx-yazhuang", "chattype": "group", "from": {"userid": "lixy"}, "msgtype": "text",
        "text": {"content": "/打卡"}}}))  # no msgid
    await wecom_ws.push_raw(json.dumps({"cmd": "aibot_event_callback", "headers": {"req_id": "r3"},
                                        "body": {"msgid": "ws-evt-bad", "event": "template_card_event"}}))
    await wecom_ws.push_message("/打卡", user="wangw")
    await until(lambda: count(app, Checkin.id) == 1)
    await until(lambda: len(rejected(app)) == 3)
    assert wecom_ws.connections == 1
    unreadable, no_msgid, bad_event = rejected(app)
    assert unreadable.message_id.startswith("unreadable-") and unreadable.payload == {"raw": "this is not json"}
    assert unreadable.error.startswith("JSONDecodeError")
    assert no_msgid.message_id.startswith("unreadable-") and no_msgid.error == "KeyError: 'msgid'"
    assert bad_event.message_id == "ws-evt-bad" and bad_event.error.startswith("AttributeError")


def rejected(app) -> list[InboxMessage]:
    with app.unit_of_work() as uow:
        return list(uow.session.scalars(select(InboxMessage).where(InboxMessage.status == "rejected")
                                        .order_by(InboxMessage.id)))


async def test_a_second_connection_kicks_the_first_which_stops_for_good(server, wecom_ws, app):
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(wecom_ws.url) as other:  # another instance of the same bot
            await other.send_json({"cmd": "aibot_subscribe", "headers": {"req_id": "aibot_subscribe_x"},
                                   "body": {"bot_id": BOT_ID, "secret": SECRET}})
            answer = await other.receive_json(timeout=5)
            assert answer["errcode"] == 0
            await until(lambda: server.wecom_link.done)
            assert server.wecom_link.state == "kicked"
            assert wecom_ws.subscribes == 2  # it did not fight back
    problems = check_settings(app.settings)
    assert any("另一个进程" in p for p in problems)


async def test_a_wrong_secret_stops_at_once_and_check_config_says_so(settings, clock, world, standin, wecom_ws):
    wecom = long_connection(wecom_ws.url, standin.base, secret="wrong-secret")
    app = build_app(settings.model_copy(update={"wecom": wecom}), clock=clock, migrate_db=False)
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    try:
        await until(lambda: bot.wecom_link.done)
        assert bot.wecom_link.state == "auth_failed"
        assert wecom_ws.subscribes == 1  # no hammering with a secret that cannot work
        [problem] = [p for p in check_settings(app.settings) if "认证失败" in p]
        assert "853000" in problem and "wrong-secret" not in problem
    finally:
        await bot.stop()
        app.close()


async def test_a_proactive_send_goes_over_the_connection_and_falls_back_to_the_webhook(server, wecom_ws, standin, app):
    await queue_reminders(app)
    wecom_ws.refuse_sends = 1
    report = await deliver(server)
    assert report.sent == 1
    [refused] = wecom_ws.sent("aibot_send_msg")
    assert refused["body"]["chatid"] == "wx-yazhuang"
    [call] = standin.sent("/cgi-bin/webhook/send")
    assert call.body["text"]["content"] == "⏰ 今天（11月24日）还有 4 人未打卡：@张建国 @李秀英 @王伟 @周敏\n请尽快发送 /打卡"
    assert call.body["text"]["mentioned_list"] == ["zhangjg", "lixy", "wangw"]  # 周敏 has no WeCom account


async def test_the_morning_reminder_is_a_card_and_a_tap_checks_in_and_updates_it(server, wecom_ws, app):
    await queue_reminders(app)
    await deliver(server)
    card_send, mentions = wecom_ws.sent("aibot_send_msg")
    card = card_send["body"]["template_card"]
    assert card["card_type"] == "button_interaction"
    assert card["button_list"] == [{"text": "打卡", "style": 1, "key": "/打卡"}]
    assert "<@lixy>" in mentions["body"]["markdown"]["content"]

    req_id = await wecom_ws.push_tap("/打卡", card["task_id"], user="lixy")
    await until(lambda: count(app, Checkin.id) == 1)
    await handled(server)
    await deliver(server)
    [update] = wecom_ws.sent("aibot_respond_update_msg")
    assert update["headers"]["req_id"] == req_id
    assert update["body"]["response_type"] == "update_template_card"
    assert update["body"]["template_card"]["task_id"] == card["task_id"]
    assert "已打卡 1/4" in update["body"]["template_card"]["sub_title_text"]
    said = [f["body"]["markdown"]["content"] for f in wecom_ws.sent("aibot_send_msg")[2:]]
    assert said == ["✅ 李秀英 07:50 打卡成功，今日第 1 位"]


async def test_a_tap_and_a_typed_checkin_arriving_together_store_one_checkin(server, wecom_ws, app):
    await asyncio.gather(
        wecom_ws.push_tap("/打卡", "checkin_1_20261124", user="wangw"),
        wecom_ws.push_message("/打卡", user="wangw"),
    )
    await until(lambda: count(app, OutboxMessage.id) >= 2)
    await handled(server)
    assert count(app, Checkin.id) == 1
    with app.unit_of_work() as uow:
        texts = sorted(uow.session.scalars(select(OutboxMessage.text)))
    assert [t for t in texts if "王伟" in t][0:2] == sorted(
        ["✅ 王伟 07:50 打卡成功，今日第 1 位", "王伟，今天已于 07:50 打卡"]
    )


async def test_the_same_tap_delivered_twice_is_handled_once(server, wecom_ws, app):
    for _ in range(2):
        await wecom_ws.push_tap("/打卡", "checkin_1_20261124", user="wangw", msgid="tap-once")
    await until(lambda: count(app, Checkin.id) == 1)
    await handled(server)
    with app.unit_of_work() as uow:
        texts = list(uow.session.scalars(select(OutboxMessage.text)))
    assert texts.count("✅ 王伟 07:50 打卡成功，今日第 1 位") == 1


async def test_a_notice_is_answered_as_a_card_and_a_tap_on_收到_counts_and_redraws_it(server, wecom_ws, app):
    req_id = await wecom_ws.push_message("@村务助手\u2005/通知 今晚8点防汛巡查 需回复收到")
    await until(lambda: count(app, OutboxMessage.id) == 1)
    await deliver(server)
    [answer] = wecom_ws.sent("aibot_respond_msg")
    assert answer["headers"]["req_id"] == req_id
    card = answer["body"]["template_card"]
    assert card["task_id"] == "notice_1"
    assert card["button_list"] == [{"text": "收到", "style": 1, "key": "/收到"}]
    assert card["sub_title_text"].startswith("📢 通知 #1（张建国）\n今晚8点防汛巡查")

    tap = await wecom_ws.push_tap("/收到", "notice_1", user="chenj")
    await until(lambda: count(app, OutboxMessage.id) == 3)  # 收到 said, and the card redrawn
    await deliver(server)
    [update] = wecom_ws.sent("aibot_respond_update_msg")
    assert update["headers"]["req_id"] == tap
    assert update["body"]["template_card"]["sub_title_text"] == "今晚8点防汛巡查\n已收到 1/4"


def test_check_config_explains_the_long_connection_and_what_it_needs(settings, capsys):
    from argparse import Namespace

    from bot.cli_serve import run_check_config

    incomplete = settings.model_copy(update={"wecom": WeComSettings(enabled=True, mode="long_connection")})
    assert check_settings(incomplete) == [
        "企业微信长连接：缺少机器人的 BotID（[wecom] bot_id）",
        "企业微信长连接：缺少机器人的 Secret（CADREBOT_WECOM__BOT_SECRET）",
    ]
    complete = WeComSettings(enabled=True, mode="long_connection", bot_id=BOT_ID, bot_secret=SecretStr(SECRET))
    path = settings.data_dir.parent / "cadrebot.toml"
    path.write_text(f'database_url = "{settings.database_url}"\ndata_dir = "{settings.data_dir}"\n'
                    f'[wecom]\nenabled = true\nmode = "long_connection"\nbot_id = "{BOT_ID}"\n', encoding="utf-8")
    import os

    os.environ["CADREBOT_WECOM__BOT_SECRET"] = SECRET
    try:
        assert run_check_config(Namespace(config=str(path))) == 0
    finally:
        del os.environ["CADREBOT_WECOM__BOT_SECRET"]
    out = capsys.readouterr().out
    assert "长连接模式" in out and "不需要公网地址" in out and "wss://openws.work.weixin.qq.com" in out
    assert complete.mode == "long_connection"


async def test_a_server_that_refuses_for_a_while_is_retried_past_ten_attempts(server, wecom_ws, app):
    wecom_ws.refuse_connects = 12  # the official SDK gives up after 10 by default
    await wecom_ws.drop(code=1000)
    await until(lambda: wecom_ws.refused_connects == 12)
    await until(lambda: server.wecom_link.state == "ready")
    assert wecom_ws.subscribes == 2
    await wecom_ws.push_message("/打卡", user="lixy")
    await until(lambda: count(app, Checkin.id) == 1)


def test_reconnect_delays_double_up_to_the_cap_with_jitter():
    from bot.adapters.wecom_long import WeComLongConnection

    config = WeComSettings(reconnect_first_seconds=1, reconnect_max_seconds=60)
    low = WeComLongConnection(config, lambda m: None, lambda: None, reject=None, rng=lambda: 0.0)
    high = WeComLongConnection(config, lambda m: None, lambda: None, reject=None, rng=lambda: 1.0)
    assert [low._backoff(n) for n in (1, 2, 3, 7, 8, 5000)] == [0.5, 1, 2, 30, 30, 30]
    assert [high._backoff(n) for n in (1, 2, 3, 7, 8, 5000)] == [1, 2, 4, 60, 60, 60]  # days of outage


async def test_a_minutes_photo_is_decrypted_with_the_key_that_came_with_it(server, wecom_ws, standin, app):
    import base64
    import os

    from wechatpy.crypto.base import WeChatCipher
    from wechatpy.crypto.pkcs7 import PKCS7Encoder

    from tests.factories import image_bytes

    key = os.urandom(32)
    photo = image_bytes()
    standin.media["ws-photo"] = WeChatCipher(key).encrypt(PKCS7Encoder.encode(photo))
    await wecom_ws.push_message("/纪要 开始 党员大会")
    await until(lambda: count(app, OutboxMessage.id) == 1)
    await wecom_ws.push_image(f"{standin.base}/media/ws-photo", base64.b64encode(key).decode())
    # poll off the loop: the download the dispatcher makes is served by the stand-in on this loop
    await asyncio.to_thread(_wait_for_rows, app, 2)
    await handled(server)
    await deliver(server)
    said = [f["body"]["stream"]["content"] for f in wecom_ws.sent("aibot_respond_msg")]
    assert said[1] == "📷 已存入纪要 ＃1（共 1 张）"  # plain text in markdown: escaped (bot.contract.hygiene)


def _wait_for_rows(app, n: int, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while count(app, OutboxMessage.id) < n:
        assert time.monotonic() < deadline, "timed out waiting for the reply"
        time.sleep(0.02)


async def test_a_worker_that_loses_and_regains_leadership_connects_again(server, wecom_ws):
    """The leader stops the link when it loses the lock and starts it when it is elected again."""
    link = server.wecom_link
    await link.stop()
    link.start()
    await until(lambda: link.ready.is_set() and wecom_ws.subscribes == 2)
    assert not link.done


@pytest.mark.parametrize("lost", ["connection closed", "no answer"])
async def test_a_send_whose_answer_never_comes_is_left_uncertain_and_not_sent_again(server, wecom_ws, standin, app,
                                                                                     lost, caplog):
    await queue_reminders(app)
    if lost == "connection closed":
        wecom_ws.close_on_sends = 1
    else:
        wecom_ws.ignore_sends = 1
        server.wecom_link.answer_timeout = 0.2
    report = await deliver(server)
    assert (report.sent, report.uncertain) == (0, 1)
    assert len(wecom_ws.sent("aibot_send_msg")) == 1 and standin.sent("/cgi-bin/webhook/send") == []
    [row] = [r for r in outbox_rows(app) if r.platform == "wecom"]
    assert row.status == "uncertain" and row.last_error.startswith("sent over the long connection, no answer")
    assert not [r for r in caplog.records if r.exc_info], "an unknown outcome is a warning, not a traceback"
    await until(lambda: server.wecom_link.state == "ready")
    assert (await deliver(server)).sent == 0  # an uncertain row is never resent by itself
