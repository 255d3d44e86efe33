"""WeCom over the real protocol on loopback: callbacks encrypted with wechatpy the way WeCom does,
posted to the bot's own web server; replies delivered to a local stand-in of the group webhook."""

from __future__ import annotations

import asyncio
import hashlib

import aiohttp
import pytest
import xmltodict
from pydantic import SecretStr
from sqlalchemy import func, select
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.app import build_app
from bot.messages import Attachment
from bot.platform_config import OutboxSettings, WeComSettings
from bot.serve import Server
from storage.models import Checkin, InboxMessage, MediaFile, OutboxMessage, ProcessedMessage
from tests.standins import until
from tests.factories import image_bytes
from tests.wecom_client import AES_KEY, TOKEN, WeComServer, image_message, text_message

PATH = "/wecom/aibot"


@pytest.fixture
def app(settings, clock, standin):
    wecom = WeComSettings(
        enabled=True,
        aibot_token=TOKEN,
        aibot_aes_key=AES_KEY,
        api_base=standin.base,
        webhook_keys={"wx-yazhuang": "key-yazhuang"},
    )
    application = build_app(
        settings.model_copy(update={"wecom": wecom, "outbox": OutboxSettings(poll_seconds=0.05)}),
        clock=clock,
        migrate_db=False,
    )
    yield application
    application.close()


@pytest.fixture
async def server(app, world):
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


def url(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}{PATH}"


def count(app, column) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(column)))


async def post(http, server, query, body) -> int:
    async with http.post(url(server), params=query, data=body) as response:
        return response.status


async def test_url_check_returns_the_plain_echostr(server, http):
    params = WeComServer().url_check("echo-1795")
    async with http.get(url(server), params=params) as response:
        assert response.status == 200
        assert await response.text() == "echo-1795"


async def test_url_check_with_a_wrong_signature_is_refused(server, http):
    params = WeComServer().url_check("echo-1795") | {"msg_signature": "0" * 40}
    async with http.get(url(server), params=params) as response:
        assert response.status == 403


async def test_checkin_by_callback_is_answered_in_the_group_through_its_webhook(server, http, standin, app):
    query, body = WeComServer().sign(text_message("msg-1", "@村务助手\u2005/打卡"))
    assert await post(http, server, query, body) == 200
    assert server.inbox.join()
    assert count(app, Checkin.id) == 1
    report = await _deliver(server)
    assert report.sent == 1
    [call] = standin.sent("/cgi-bin/webhook/send")
    assert call.query == {"key": "key-yazhuang"}
    assert call.body == {"msgtype": "text", "text": {"content": "✅ 张建国 07:50 打卡成功，今日第 1 位", "mentioned_list": []}}


async def test_a_wrong_signature_is_refused_and_nothing_is_stored(server, http, app):
    query, body = WeComServer().sign(text_message("msg-forged", "/打卡"))
    assert await post(http, server, query | {"msg_signature": "f" * 40}, body) == 403
    assert await post(http, server, query, b'{"encrypt": "not-base64!"}') == 403
    assert server.inbox.join()
    assert count(app, ProcessedMessage.id) == 0
    assert count(app, Checkin.id) == 0
    assert count(app, OutboxMessage.id) == 0


async def test_a_signed_callback_the_bot_cannot_read_is_acked_and_kept_as_rejected(server, http, app):
    """Truly WeCom's (signed, decrypts) but without a msgid: no 500 that WeCom would resend forever."""
    payload = text_message("msg-x", "/打卡")
    del payload["msgid"]
    query, body = WeComServer().sign(payload)
    assert await post(http, server, query, body) == 200
    assert await post(http, server, query, body) == 200  # WeCom's retry: still one row
    assert server.inbox.join()
    with app.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(InboxMessage)))
    assert [row.status for row in rows] == ["rejected"]
    assert count(app, Checkin.id) == 0


async def test_a_callback_carrying_nul_or_a_lone_surrogate_is_stored_and_acked_and_so_are_its_neighbours(
    server, http, app
):
    """JSON may carry "\\u0000" and a lone "\\ud800". PostgreSQL's text refuses NUL and UTF-8 cannot
    encode a lone surrogate; such a callback failed its whole group commit, so it and every callback
    stored with it got 503, again at each of WeCom's retries. Both characters are kept as U+FFFD."""
    wecom = WeComServer()
    odd = text_message("msg-odd\u0000", "/打卡", user="zhangjg") | {"aibotid": "aib\u0000\ud800"}
    statuses = await asyncio.gather(
        post(http, server, *wecom.sign(odd, ascii_only=True)),
        post(http, server, *wecom.sign(text_message("msg-plain", "/打卡", user="lixy"))),
    )
    assert statuses == [200, 200]
    assert server.inbox.join()
    with app.unit_of_work() as uow:
        rows = {row.message_id: row for row in uow.session.scalars(select(InboxMessage))}
    assert sorted(rows) == ["msg-odd\ufffd", "msg-plain"]
    assert rows["msg-odd\ufffd"].payload["raw"]["aibotid"] == "aib\ufffd\ufffd"
    assert count(app, Checkin.id) == 2


async def test_a_callback_encrypted_with_another_key_is_refused(server, http, app):
    other = WeComServer(aes_key="b" * 43)
    query, body = other.sign(text_message("msg-other", "/打卡"))
    assert await post(http, server, query, body) == 403
    assert count(app, ProcessedMessage.id) == 0


async def test_the_same_msgid_three_times_checks_in_once_and_replies_once(server, http, app, standin):
    wecom = WeComServer()
    for _ in range(3):  # WeCom retries a callback it thinks went unanswered
        query, body = wecom.sign(text_message("msg-dup", "/打卡"))
        assert await post(http, server, query, body) == 200
    assert server.inbox.join()
    assert count(app, Checkin.id) == 1
    assert count(app, OutboxMessage.id) == 1
    await _deliver(server)
    await _deliver(server)
    assert len(standin.sent("/cgi-bin/webhook/send")) == 1


async def test_an_image_message_is_accepted_and_its_picture_decrypted(server, http, app, standin):
    wecom = WeComServer()
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 7
    standin.media["photo-1"] = wecom.encrypt_media(picture)
    query, body = wecom.sign(image_message("msg-img", f"{standin.base}/media/photo-1"))
    assert await post(http, server, query, body) == 200
    assert await _in_thread(server.inbox.join)  # off the loop: the media lane downloads from the stand-in
    assert count(app, ProcessedMessage.id) == 1
    fetcher = app.media_fetchers["wecom"]
    data = await _in_thread(fetcher.fetch, Attachment("image", f"{standin.base}/media/photo-1"))
    assert data == picture


async def _deliver(server: Server):
    return await _in_thread(server.worker.run_once)


async def _in_thread(func, *args):
    return await asyncio.to_thread(func, *args)


async def test_a_group_without_webhook_key_is_answered_through_the_response_url(server, http, app, standin):
    query, body = WeComServer().sign(
        text_message("msg-resp", "/打卡", user="sunli", chat="wx-zhiying", response_url=f"{standin.base}/resp/abc")
    )
    assert await post(http, server, query, body) == 200
    assert server.inbox.join()
    assert (await _deliver(server)).sent == 1
    [call] = standin.sent("/resp/abc")
    assert call.body["msgtype"] == "markdown"
    assert "孙丽" in call.body["markdown"]["content"]


async def test_the_self_built_app_xml_callback_reaches_the_dispatcher(app_server, http, app):
    crypto = WeChatCrypto(TOKEN, AES_KEY, "ww-corp")
    plain = (
        "<xml><ToUserName>ww-corp</ToUserName><FromUserName>zhangjg</FromUserName><CreateTime>1795000000</CreateTime>"
        "<MsgType>text</MsgType><Content>/打卡</Content><MsgId>7001</MsgId><AgentID>1000002</AgentID></xml>"
    )
    xml = crypto.encrypt_message(plain, "n1", "1795000000")
    signature = xmltodict.parse(xml)["xml"]["MsgSignature"]
    query = {"msg_signature": signature, "timestamp": "1795000000", "nonce": "n1"}
    app_url = f"http://127.0.0.1:{app_server.port}/wecom/app"
    async with http.post(app_url, params=query, data=xml.encode()) as response:
        assert response.status == 200
    async with http.post(app_url, params=query | {"msg_signature": "0"}, data=xml.encode()) as response:
        assert response.status == 403
    assert app_server.inbox.join()
    with app.unit_of_work() as uow:
        assert list(uow.session.scalars(select(ProcessedMessage.message_id))) == ["app-7001"]
        [row] = uow.session.scalars(select(OutboxMessage))
        assert row.chat_id == "user:zhangjg"


@pytest.fixture
async def app_server(app, world):
    app.settings = app.settings.model_copy(
        update={
            "wecom": app.settings.wecom.model_copy(
                update={"corp_id": "ww-corp", "app_token": SecretStr(TOKEN), "app_aes_key": SecretStr(AES_KEY)}
            )
        }
    )
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    yield bot
    await bot.stop()


async def test_served_with_its_own_outbox_worker_the_reply_arrives_by_itself(app, world, http, standin):
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False)  # as `cadrebot serve` runs it
    await bot.start()
    try:
        query, body = WeComServer().sign(text_message("msg-live", "/打卡", user="lixy"))
        assert await post(http, bot, query, body) == 200
        await until(lambda: standin.sent("/cgi-bin/webhook/send"))
        [call] = standin.sent("/cgi-bin/webhook/send")
        assert call.body["text"]["content"] == "✅ 李秀英 07:50 打卡成功，今日第 1 位"
    finally:
        await bot.stop()


async def test_a_minutes_photo_sent_in_the_group_is_downloaded_checked_and_stored(server, http, app, standin):
    """From the group chat to the file store: encrypted callback, the adapter's media download
    (decrypted with the AI bot's key), Pillow's check, content-addressed storage, the reply."""
    wecom = WeComServer()
    photo = image_bytes()
    standin.media["minutes-1"] = wecom.encrypt_media(photo)
    standin.media["not-a-photo"] = wecom.encrypt_media(b"%PDF-1.4 pretending to be a jpg")
    for msgid, message in [
        ("m-open", text_message("m-open", "@村务助手\u2005/纪要 开始 党员大会")),
        ("m-photo", image_message("m-photo", f"{standin.base}/media/minutes-1")),
        ("m-fake", image_message("m-fake", f"{standin.base}/media/not-a-photo")),
    ]:
        query, body = wecom.sign(message)
        assert await post(http, server, query, body) == 200, msgid
        # join off the loop: the download the dispatcher makes is served by the stand-in on this loop
        assert await _in_thread(server.inbox.join)
    await _deliver(server)
    replies = [call.body["text"]["content"] for call in standin.sent("/cgi-bin/webhook/send")]
    assert replies[0].startswith("📝 纪要 #1 开始：党员大会")
    assert replies[1] == "📷 已存入纪要 #1（共 1 张）"
    assert replies[2].startswith("❌ 图片没有保存")
    assert count(app, MediaFile.id) == 1
    stored = [p for p in app.settings.data_dir.rglob("*") if p.is_file() and p.read_bytes() == photo]
    assert len(stored) == 1 and hashlib.sha256(photo).hexdigest() in stored[0].name


async def test_user_text_cannot_smuggle_a_link_or_a_mention_into_a_markdown_reply(server, http, app, standin):
    """response_url only takes markdown: a leave reason quoting a link and an <@userid> is shown, not rendered."""
    reason = "[点我](http://evil.example) <@zhangjg> **急**"
    query, body = WeComServer().sign(
        text_message("msg-md", f"/请假 11-30 {reason}", user="sunli", chat="wx-zhiying", response_url=f"{standin.base}/resp/md")
    )
    assert await post(http, server, query, body) == 200
    assert server.inbox.join()
    assert (await _deliver(server)).sent == 1
    [call] = standin.sent("/resp/md")
    content = call.body["markdown"]["content"]
    assert "［点我］（http://evil.example）" in content and "＜@zhangjg＞" in content and "＊＊急＊＊" in content
    assert "](" not in content and "<@zhangjg>" not in content and "**" not in content
