"""Minutes photos: downloaded through the platform's media API (a stand-in server here), checked
with Pillow, stored once by content with a thumbnail, and listed with /纪要 N."""

import pytest
from sqlalchemy import func, select

from storage.models import MediaFile, MinutesImage
from tests.factories import StubMediaServer, image_bytes


@pytest.fixture
def media(app):
    server = StubMediaServer()
    app.media_fetchers["wecom"] = server
    return server


def counts(app) -> tuple[int, int]:
    with app.unit_of_work() as uow:
        return (uow.session.scalar(select(func.count(MediaFile.id))), uow.session.scalar(select(func.count(MinutesImage.id))))


def stored_files(settings) -> list[str]:
    root = settings.data_dir / "media"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_photos_sent_while_minutes_are_open_are_kept_and_listed(world, media, settings):
    chat = world.chat()
    opened = chat.reply("/纪要 开始 党员和村民代表会议", "zhangjg")
    assert opened.startswith("📝 纪要 #1 开始：党员和村民代表会议")
    media.put("media-1", image_bytes("white"))
    media.put("media-2", image_bytes("gray", fmt="PNG"))
    assert chat.reply("", "zhangjg", images=("media-1",)) == "📷 已存入纪要 #1（共 1 张）"
    assert chat.reply("", "lixy", images=("media-2",)) == "📷 已存入纪要 #1（共 2 张）"
    assert chat.reply("/纪要 结束", "zhangjg") == "📝 纪要 #1 已结束，共 2 张图片。查看：/纪要 1"
    listing = chat.reply("/纪要 1", "wangw")
    assert listing.startswith("📝 纪要 #1：党员和村民代表会议\n11-24 07:50–07:50，张建国记录\n图片 2 张：")
    assert "（640×480）" in listing
    assert len(stored_files(settings)) == 4  # two images, two thumbnails
    assert chat.say("", "zhangjg", images=("media-1",)) == []  # no minutes open: a photo is just a photo


def test_same_image_twice_is_stored_once(world, media, settings):
    chat = world.chat()
    chat.reply("/纪要 开始", "zhangjg")
    data = image_bytes("white")
    media.put("first", data)
    media.put("again", data)
    chat.reply("", "zhangjg", images=("first",))
    assert chat.reply("", "lixy", images=("again",)) == "📷 这张图片纪要 #1 里已经有了，不重复保存。"
    chat.reply("/纪要 开始 第二次会议", "zhangjg")
    assert chat.reply("", "lixy", images=("again",)) == "📷 已存入纪要 #2（共 1 张）"
    assert counts(world.app) == (1, 2)  # one file, attached to two minutes
    assert len(stored_files(settings)) == 2


def test_a_non_image_renamed_jpg_is_refused_and_nothing_is_stored(world, media, settings):
    chat = world.chat()
    chat.reply("/纪要 开始", "zhangjg")
    media.put("会议纪要.jpg", b"%PDF-1.4 this is a pdf pretending to be a photo")
    reply = chat.reply("", "zhangjg", images=("会议纪要.jpg",))
    assert reply == "❌ 图片没有保存：这不是一张能打开的图片（文件已损坏或不是图片）"
    assert counts(world.app) == (0, 0)
    assert stored_files(settings) == []


def test_a_truncated_image_is_refused(world, media, settings):
    chat = world.chat()
    chat.reply("/纪要 开始", "zhangjg")
    media.put("cut", image_bytes("white")[:400])
    assert chat.reply("", "zhangjg", images=("cut",)).startswith("❌ 图片没有保存")
    assert counts(world.app) == (0, 0) and stored_files(settings) == []


def test_an_image_over_the_size_limit_is_refused(world, media, settings):
    settings.resolutions.max_image_bytes = 1000
    chat = world.chat()
    chat.reply("/纪要 开始", "zhangjg")
    media.put("big", image_bytes("white", size=(800, 800)))
    assert chat.reply("", "zhangjg", images=("big",)).startswith("❌ 图片没有保存：图片太大")
    assert counts(world.app) == (0, 0)


def test_photo_with_minutes_number_attaches_to_that_minutes(world, media):
    chat = world.chat()
    chat.reply("/纪要 开始 两委会", "zhangjg")
    chat.reply("/纪要 结束", "zhangjg")
    media.put("late", image_bytes("white"))
    said = chat.say("/纪要 1", "lixy", images=("late",))
    assert said[0] == "📷 已存入纪要 #1（共 1 张）"
    assert "图片 1 张" in said[1]


def test_failed_download_says_so(world, media):
    chat = world.chat()
    chat.reply("/纪要 开始", "zhangjg")
    assert chat.reply("", "zhangjg", images=("expired",)) == "❌ 图片下载失败，请重新发送。"


def test_listing_shows_links_when_a_public_page_runs_and_the_resolutions(world, media, settings):
    settings.resolutions.public_url = "https://cunwu.example.cn/"
    chat = world.chat()
    chat.reply("/纪要 开始 党员和村民代表会议", "zhangjg")
    media.put("p", image_bytes("white"))
    chat.reply("", "zhangjg", images=("p",))
    chat.reply("/决议 筹建公办幼儿园 | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34", "zhangjg")
    listing = chat.reply("/纪要 1", "zhangjg")
    assert "\nhttps://cunwu.example.cn/media/" in listing and listing.count(".jpg") == 1
    assert listing.endswith("决议 #1：筹建公办幼儿园（同意 34，反对 0，弃权 0）")


def test_minutes_opened_during_the_groups_meeting_belong_to_it_and_so_do_its_resolutions(world, clock):
    from storage.models import MinutesSession, Resolution

    chat = world.chat()
    created = chat.reply("/会议 新建 11-24 19:00 党员大会 主题：幼儿园用地", "zhangjg")
    assert created.startswith("✅ 已安排会议 #1")
    clock.set(clock.now().replace(hour=19, minute=2))
    opened = chat.reply("/纪要 开始", "zhangjg")
    assert "已关联本群正在召开的会议 #1「党员大会」" in opened
    chat.reply("/决议 筹建公办幼儿园 | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34", "zhangjg")
    with world.app.unit_of_work() as uow:
        assert uow.session.scalar(select(MinutesSession.meeting_id)) == 1
        assert uow.session.scalar(select(MinutesSession.topic)) == "党员大会"
        assert uow.session.scalar(select(Resolution.meeting_id)) == 1


def test_minutes_opened_with_no_meeting_under_way_stand_alone(world, clock):
    from storage.models import MinutesSession

    chat = world.chat()
    chat.reply("/会议 新建 11-26 19:00 党员大会", "zhangjg")  # two days away
    assert "关联" not in chat.reply("/纪要 开始 临时碰头会", "zhangjg")
    with world.app.unit_of_work() as uow:
        assert uow.session.scalar(select(MinutesSession.meeting_id)) is None
