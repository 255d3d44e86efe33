"""Photos off the hot path, over the real WeCom protocol on loopback: while one member's minutes
photo takes 4 s to download, twenty /打卡 of other members are answered without waiting for it;
the photo is filed when it arrives. Downloads are capped while streaming."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.media import MediaTooLarge
from bot.messages import Attachment
from bot.platform_config import OutboxSettings, WeComSettings
from bot.serve import Server
from storage.models import InboxMessage, OutboxMessage
from tests.factories import image_bytes
from tests.standins import until
from tests.wecom_client import AES_KEY, TOKEN, WeComServer, image_message, text_message

OTHERS = ("lixy", "wangw", "chenj", "sunli")


@pytest.fixture
def app(settings, clock, standin):
    wecom = WeComSettings(enabled=True, aibot_token=TOKEN, aibot_aes_key=AES_KEY, api_base=standin.base,
                          webhook_keys={"wx-yazhuang": "key-yazhuang"})
    application = build_app(settings.model_copy(update={"wecom": wecom, "outbox": OutboxSettings()}), clock=clock,
                            migrate_db=False)
    yield application
    application.close()


@pytest.fixture
async def server(app, world):
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    yield bot
    await bot.stop()


def replies(app) -> list[str]:
    with app.unit_of_work() as uow:
        return list(uow.session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))


def handled(app) -> set[str]:
    with app.unit_of_work() as uow:
        return set(uow.session.scalars(select(InboxMessage.message_id).where(InboxMessage.status == "handled")))


async def test_a_slow_photo_does_not_delay_other_members_checkins(server, app, standin):
    wecom = WeComServer()
    standin.media["slow"] = wecom.encrypt_media(image_bytes())
    standin.media_delay["slow"] = 4.0
    url = f"http://127.0.0.1:{server.port}/wecom/aibot"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        async def post(payload) -> None:
            query, body = wecom.sign(payload)
            async with http.post(url, params=query, data=body) as response:
                assert response.status == 200

        await post(text_message("open", "/纪要 开始 党员大会"))
        await until(lambda: "open" in handled(app))
        await post(image_message("photo", f"{standin.base}/media/slow"))
        started = time.monotonic()
        checkins = [f"c-{n}" for n in range(20)]
        for n, msgid in enumerate(checkins):
            await post(text_message(msgid, "/打卡", user=OTHERS[n % len(OTHERS)]))
        await until(lambda: set(checkins) <= handled(app), timeout=10)
        waited = time.monotonic() - started
        assert "photo" not in handled(app)  # still downloading
        assert waited < 3.0, f"check-ins waited {waited:.1f} s behind a 4 s download"
        await until(lambda: "photo" in handled(app), timeout=10)
    assert replies(app)[-1] == "📷 已存入纪要 #1（共 1 张）"


async def test_a_download_is_cut_off_at_the_size_cap(server, app, standin):
    from bot.adapters.wecom_send import WeComMediaFetcher

    standin.media["huge"] = b"\0" * (2 * 1024 * 1024)
    fetcher = WeComMediaFetcher(AES_KEY, max_bytes=1024 * 1024)
    with pytest.raises(MediaTooLarge):
        await asyncio.to_thread(fetcher.fetch, Attachment("image", f"{standin.base}/media/huge"))


def test_a_small_png_declaring_9400_by_9400_pixels_is_refused_before_decoding(tmp_path):
    import struct
    import zlib

    from storage.files import FileStore, ImageRejected

    png = image_bytes(size=(8, 8), fmt="PNG")
    ihdr = png.index(b"IHDR")
    fields = struct.pack(">II", 9400, 9400) + png[ihdr + 12 : ihdr + 17]
    patched = png[: ihdr + 4] + fields + struct.pack(">I", zlib.crc32(b"IHDR" + fields)) + png[ihdr + 21 :]
    store = FileStore(tmp_path, max_bytes=10 * 1024 * 1024, max_pixels=50_000_000)
    with pytest.raises(ImageRejected, match="像素太多"):
        store.check_image(patched)


def _mixed(msgid: str, text: str, url: str, user: str = "zhangjg") -> dict:
    """@机器人 + a picture in one message (图文混排): the only way a group photo reaches the AI bot."""
    return {
        "msgid": msgid, "aibotid": "aib-test", "chatid": "wx-yazhuang", "chattype": "group", "from": {"userid": user},
        "response_url": "http://127.0.0.1:9/resp/m", "msgtype": "mixed",
        "mixed": {"msg_item": [{"msgtype": "text", "text": {"content": text}},
                               {"msgtype": "image", "image": {"url": url}}]},
    }


async def test_a_group_photo_sent_as_mention_plus_image_is_filed(server, app, standin):
    wecom = WeComServer()
    standin.media["page-1"] = wecom.encrypt_media(image_bytes("white"))
    url = f"http://127.0.0.1:{server.port}/wecom/aibot"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        for payload in (text_message("m-open", "@村务助手\u2005/纪要 开始 党员大会"),
                        _mixed("m-photo", "@村务助手", f"{standin.base}/media/page-1")):
            query, body = wecom.sign(payload)
            async with http.post(url, params=query, data=body) as response:
                assert response.status == 200
            await until(lambda: payload["msgid"] in handled(app))
    assert replies(app)[-1] == "📷 已存入纪要 #1（共 1 张）"


def test_a_photo_in_a_one_to_one_chat_reaches_the_bot_as_a_private_image(clock):
    from bot.adapters.wecom import AIBotCallback

    payload = {"msgid": "p-1", "aibotid": "aib-test", "chattype": "single", "from": {"userid": "lixy"},
               "response_url": "http://127.0.0.1:9/resp/p", "msgtype": "image", "image": {"url": "http://127.0.0.1:9/m"}}
    message = AIBotCallback(TOKEN, AES_KEY, clock.now).to_inbound(payload)
    assert (message.is_group, message.chat_id, len(message.images)) == (False, "lixy", 1)
