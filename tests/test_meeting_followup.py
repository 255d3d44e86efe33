"""After the meeting: notebook spot-check (reproducible draw, photos, reminder) and 传达 within a day."""

import hashlib
import random

from sqlalchemy import select

from storage.models import Meeting, MeetingAttendee
from storage.models import MeetingRelay
from tests.factories import StubMediaServer, image_bytes, outbox_rows
from tests.meeting_helpers import at, sweep

NEW = "/会议 新建 2026-11-28 14:30 两委例会 主题：安全生产 地点：镇三楼会议室"


def held_meeting(world, clock, signed=("zhangjg", "lixy", "wangw", "liuy")):
    """A township meeting on 11-28 14:30 whose given attendees signed in on time."""
    township = world.chat("wx-zhiying")
    township.reply(NEW, "sunli")
    clock.set(at("2026-11-28 14:10"))
    for sender in signed:
        chat = world.chat("dt-lianhu") if sender == "liuy" else township
        chat.reply("/签到", sender)
    return township


def relay_posts(chat) -> list[str]:
    """New texts of the chat about 传达 (the spot-check reminder comes due in the same hours)."""
    return [text for text in chat.new_texts() if "传达" in text]


def picked(app) -> list[int]:
    with app.unit_of_work() as uow:
        return sorted(uow.session.scalars(select(MeetingAttendee.member_id).where(MeetingAttendee.spot_checked)))


def test_spot_check_draws_k_present_attendees_from_the_stored_seed(world, clock):
    world.app.settings.meetings.spot_check_count = 2
    township = held_meeting(world, clock)
    clock.set(at("2026-11-28 16:30"))
    sweep(world.app)
    with world.app.unit_of_work() as uow:
        seed = uow.session.get(Meeting, 1).spot_seed
    present = sorted(world.members[n] for n in ("张建国", "李秀英", "王伟", "刘洋"))
    expected = sorted(random.Random(seed).sample(present, 2))
    assert picked(world.app) == expected
    names = {v: k for k, v in world.members.items()}
    text = township.new_texts()[-1]
    assert text.split("\n")[0] == (
        "📓「两委例会」笔记抽查：请以下同志在 11-29 16:30 前把会议笔记拍照发到群里（或 /笔记 + 照片）"
    )
    assert sorted(text.split("\n")[1:]) == sorted(f"@{names[i]}" for i in expected)
    sweep(world.app)
    assert picked(world.app) == expected and township.new_texts() == []


def test_photos_are_recorded_and_only_the_missing_are_reminded(world, clock):
    world.app.settings.meetings.spot_check_count = 2
    township = held_meeting(world, clock, signed=("zhangjg", "wangw"))  # two present: both are drawn
    clock.set(at("2026-11-28 16:30"))
    sweep(world.app)
    assert picked(world.app) == sorted([world.members["张建国"], world.members["王伟"]])
    township.new_texts()
    clock.set(at("2026-11-28 20:00"))
    media = StubMediaServer()
    world.app.media_fetchers["wecom"] = media
    media.put("media-notes-1", image_bytes("white"))
    media.put("an-svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>')
    assert township.reply("", "wangw", images=("an-svg",)).startswith("❌ 图片没有保存")
    assert township.reply("", "zhangjg", images=("media-notes-1",)) == "📓 已收到 张建国 的「两委例会」笔记照片，谢谢"
    assert township.say("今天辛苦了", "zhangjg") == []  # ordinary chat stays unanswered
    assert township.reply("/笔记", "lixy") == "请把笔记照片和 /笔记 一起发送（或直接发照片）"
    assert township.reply("/笔记", "lixy", images=("x",)) == "您目前没有待交的笔记抽查"
    clock.set(at("2026-11-29 12:30"))
    sweep(world.app)
    assert township.new_texts() == ["⏰「两委例会」笔记抽查提醒：还没有上传笔记照片，请在 11-29 16:30 前上传\n@王伟"]
    reminder = outbox_rows(world.app, "wecom", "wx-zhiying")[-1]
    assert reminder.mentions == ["wangw"]
    with world.app.unit_of_work() as uow:
        row = uow.session.scalars(select(MeetingAttendee).filter_by(member_id=world.members["张建国"])).one()
        assert row.notes_ref == f"{hashlib.sha256(image_bytes('white')).hexdigest()[:2]}/" + (
            f"{hashlib.sha256(image_bytes('white')).hexdigest()}.jpg"
        )
        assert (world.app.settings.data_dir / "media" / row.notes_ref).is_file()


def test_relay_tracked_reminded_at_20h_and_overdue_list_at_24h(world, clock):
    township = held_meeting(world, clock)
    yazhuang, lianhu = world.chat("wx-yazhuang"), world.chat("dt-lianhu")
    lianhu.new_texts()
    clock.set(at("2026-11-28 18:00"))
    assert yazhuang.reply("/传达", "wangw") == "请写上传达内容或附上照片，例如：/传达 已向村民传达安全生产要求"
    assert yazhuang.reply("/传达 已在村民大会上传达安全生产要求", "wangw") == "✅ 雅庄村已传达「两委例会」（11-28 18:00）"
    assert yazhuang.reply("/传达 再说一次", "lixy") == "雅庄村已于 11-28 18:00 传达过「两委例会」"
    assert township.reply("/传达 镇里不用", "sunli") == "⛔ /传达 请在村工作群里使用。"
    clock.set(at("2026-11-29 10:30"))
    sweep(world.app)
    assert yazhuang.new_texts() == []
    assert lianhu.new_texts() == [
        "⏰「两委例会」要求 11-29 14:30 前完成传达，莲湖村还没有传达。请发送 /传达 1 传达内容（可附照片）"
    ]
    township.new_texts()
    clock.set(at("2026-11-29 14:30"))
    sweep(world.app)
    sweep(world.app)
    assert relay_posts(township) == ["⚠️「两委例会」传达逾期（截止 11-29 14:30）：莲湖村"]
    clock.set(at("2026-11-29 15:00"))
    media = StubMediaServer()  # the 传达 photo is downloaded and kept, like minutes and notebook photos
    world.app.media_fetchers["dingtalk"] = media
    media.put("dt-photo", image_bytes("white"))
    assert lianhu.reply("/传达 1", "zhaol", images=("dt-photo",)) == (
        "✅ 莲湖村已传达「两委例会」（11-29 15:00，已超过截止时间）"
    )
    with world.app.unit_of_work() as uow:
        relay = uow.session.query(MeetingRelay).order_by(MeetingRelay.id.desc()).first()  # 莲湖村's
        assert relay.image_ref.endswith(f"{hashlib.sha256(image_bytes('white')).hexdigest()}.jpg")


def test_all_villages_relayed_in_time_reports_so(world, clock):
    township = held_meeting(world, clock)
    clock.set(at("2026-11-28 18:00"))
    assert world.chat("wx-yazhuang").reply("/传达 已传达", "wangw").startswith("✅ 雅庄村已传达")
    assert world.chat("dt-lianhu").say("/传达 已传达", "liuy")[-1].startswith("✅ 莲湖村已传达")
    clock.set(at("2026-11-29 14:30"))
    township.new_texts()
    sweep(world.app)
    assert relay_posts(township) == ["✅「两委例会」各村均已按时传达"]


def test_an_admin_is_refused_a_relay_in_a_village_group_and_nothing_is_kept(world, clock):
    """The router lets an admin into every village group of his township (Scope.VILLAGE); a 传达 is
    the village's own, so the handler refuses him and stores nothing."""
    held_meeting(world, clock)
    clock.set(at("2026-11-28 18:00"))
    assert world.chat("wx-yazhuang").reply("/传达 已在村民大会上传达", "sunli") == "请在本村的群里由村干部发送 /传达"
    with world.app.unit_of_work() as uow:
        assert uow.session.scalars(select(MeetingRelay)).all() == []
