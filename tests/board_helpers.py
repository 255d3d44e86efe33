"""A village with something to show on its 公开栏: check-ins, a points warning, minutes with a
photo, one resolution published with /公开 and one not (it must not appear)."""

from __future__ import annotations

from tests.factories import StubMediaServer, image_bytes

PUBLISHED, UNPUBLISHED = "筹建公办幼儿园", "修建村东机耕路"
PLATFORM_IDS = ("zhangjg", "lixy", "wangw", "chenj", "liuy", "zhaol", "sunli")


def fill_village(world, clock) -> None:
    media = StubMediaServer()
    world.app.media_fetchers["wecom"] = media
    chat = world.chat()
    chat.reply("/打卡", "zhangjg")
    clock.advance(minutes=50)  # 08:40: late
    chat.reply("/打卡", "lixy")
    chat.reply("/扣分 王伟 11 日常行为规范 多次无故缺岗", "zhangjg")
    chat.reply("/纪要 开始 村民代表会议", "zhangjg")
    media.put("photo-1", image_bytes("white"))
    chat.reply("", "zhangjg", images=("photo-1",))
    chat.reply(f"/决议 {PUBLISHED} | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34", "zhangjg")
    chat.reply(f"/决议 {UNPUBLISHED} | 应到34 实到30 | 同意30 反对0 弃权0 | 19:00-19:34", "zhangjg")
    chat.reply("/纪要 结束", "zhangjg")
    assert world.chat("wx-zhiying").say("/公开 1", "sunli")[-1].startswith("✅ 决议 #1 已审核公开")
