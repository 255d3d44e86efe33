"""积分: rules turn real events (check-ins, meetings, 传达, votes) into ledger entries once each;
manual entries and corrections with their permission and scope checks; stars and colours at the
thresholds, a colour change told once; rankings only where the township enabled them."""

from bot.points_config import TownshipPoints
from scheduler.points_jobs import apply_rules
from scheduler.runtime import job_context
from storage.models import PointsEntry
from tests.factories import StubMediaServer, add_village, image_bytes, outbox_rows
from tests.points_helpers import at, award, ledger
from tests.query_count import reads, statements, touching

ZHANG, LI, WANG, CHEN = "zhangjg", "lixy", "wangw", "chenj"


def test_checkins_and_missed_days_give_their_points_once(world, clock, settings):
    settings.points.lookback_days = 1
    clock.set(at("2026-11-23 08:00"))
    chat = world.chat()
    chat.say("/打卡", ZHANG)
    clock.set(at("2026-11-23 08:40"))
    chat.say("/打卡", LI)
    clock.set(at("2026-11-24 01:00"))
    assert award(world.app) == 5
    assert award(world.app) == 0  # the job ran twice: nothing more
    assert sorted(ledger(world.app)) == sorted([
        ("李秀英", "checkin_late", -1), ("王伟", "missed_workday", -2), ("周敏", "missed_workday", -2),
        ("刘洋", "missed_workday", -2), ("赵磊", "missed_workday", -2),
    ])
    card = chat.reply("/积分", LI)
    assert card.startswith("🏅 李秀英 积分（2026年）：99 分 ★★★☆☆ 🟢 绿色\n领域｜本月｜本季｜本年\n日常行为规范｜-1｜-1｜-1")
    assert card.endswith("最近记录：\n#1 11-23 -1 日常行为规范 打卡迟到 11月23日")


def test_meeting_attendance_and_relay_from_roll_call_to_deadline(world, clock, settings):
    settings.points.lookback_days = 0
    township = world.chat("wx-zhiying")
    assert township.reply("/会议 新建 2026-11-24 14:30 两委例会", "sunli").startswith("✅ 已安排会议 #1")
    clock.set(at("2026-11-24 14:10"))
    township.say("/签到", ZHANG)
    clock.set(at("2026-11-24 14:40"))
    township.say("/签到", WANG)
    clock.set(at("2026-11-24 16:00"))
    assert world.chat().reply("/传达 已向村民传达安全生产要求", LI).startswith("✅ 雅庄村已传达")
    clock.set(at("2026-11-24 17:00"))
    award(world.app)  # late sign-ins are still taken until 17:30: only the 传达 counts yet
    assert ledger(world.app) == [("李秀英", "relay_on_time", 1)]
    clock.set(at("2026-11-24 17:31"))
    award(world.app)
    assert sorted(ledger(world.app)) == sorted([
        ("王伟", "meeting_late", -1), ("李秀英", "meeting_absent", -3), ("周敏", "meeting_absent", -3),
        ("刘洋", "meeting_absent", -3), ("赵磊", "meeting_absent", -3), ("李秀英", "relay_on_time", 1),
    ])
    clock.set(at("2026-11-25 14:31"))  # 莲湖村 did not relay within 24 hours: its 书记 answers for it
    award(world.app)
    award(world.app)
    assert ledger(world.app).count(("刘洋", "relay_overdue", -2)) == 1


def test_a_cast_vote_counts_once_even_when_changed(world, clock, settings):
    settings.points.lookback_days = 0
    chat = world.chat("dt-lianhu")
    chat.say("/表决 是否同意拨付防汛应急资金5万元", "liuy")
    chat.say("/反对", "zhaol")
    chat.say("/同意", "zhaol")
    award(world.app)
    award(world.app)
    assert ledger(world.app) == [("赵磊", "vote_cast", 1)]


def test_manual_entries_respect_roles_scope_and_areas(world):
    village, township = world.chat(), world.chat("wx-zhiying")
    assert village.reply("/加分 王伟 5 志愿服务 参加防汛值守", ZHANG) == (
        "✅ 已记录 #1：王伟 +5 分（志愿服务），理由：参加防汛值守。记录人 张建国。")
    assert village.reply("/加分 王伟 5 志愿服务 帮忙", LI) == "⛔ /加分 只有书记、管理员可以使用。"
    assert village.reply("/加分 张建国 5 志愿服务 自己加", ZHANG) == "⛔ 书记不能给自己加分、扣分或撤销自己的积分，请管理员处理。"
    assert village.reply("/扣分 刘洋 2 日常行为规范 越权", ZHANG) == "⛔ 刘洋 不在您管辖的范围内（书记管本村，管理员管本镇）。"
    assert village.reply("/加分 王伟 5 打麻将 娱乐", ZHANG).startswith("没有「打麻将」这个领域。可选：日常行为规范、")
    assert village.reply("/加分 王伟 五 志愿服务 值守", ZHANG).startswith("「五」不是有效的分值，请写 1 到 50 之间")
    assert village.reply("/加分 王伟 51 志愿服务 值守", ZHANG).startswith("「51」不是有效的分值")
    assert village.reply("/加分 王伟 5分 志愿服务 值守", ZHANG).startswith("✅ 已记录")
    assert township.reply("/扣分 张建国 2 日常行为规范 会议期间接打电话", "sunli").startswith("✅ 已记录 #3：张建国 -2 分")
    assert village.reply("/积分 刘洋", ZHANG) == "⛔ 刘洋 不在您管辖的范围内（书记管本村，管理员管本镇）。"
    assert village.reply("/积分 王伟", LI) == "⛔ 查看他人积分、撤销积分只有书记或管理员可以使用。"
    assert "志愿服务｜+10｜+10｜+10" in village.reply("/积分 王伟", ZHANG)


def test_area_cap_limits_gains_not_the_ledger(world):
    village = world.chat()
    village.say("/加分 王伟 15 志愿服务 防汛值守", ZHANG)
    village.say("/加分 王伟 15 志愿服务 森林防火", ZHANG)
    card = village.reply("/积分 王伟", ZHANG)
    assert "志愿服务｜+20｜+20｜+20" in card and "：120 分 ★★★★★" in card
    assert len(ledger(world.app)) == 2


def test_correction_is_a_new_entry_and_only_once(world):
    village = world.chat()
    village.say("/扣分 王伟 3 日常行为规范 值班缺岗", ZHANG)
    assert village.reply("/积分 撤销 1 核实后当天在镇里开会", ZHANG) == (
        "✅ 已撤销 #1（王伟 -3 分 日常行为规范），新记录 #2：+3 分，理由：核实后当天在镇里开会。")
    assert village.reply("/积分 撤销 1 再撤一次", ZHANG) == "积分记录 #1 已经撤销过了（#2）。"
    assert village.reply("/积分 撤销 2 撤销撤销", ZHANG) == "#2 本身是一条撤销记录，不能再撤销。"
    assert village.reply("/积分 撤销 9 没有这条", ZHANG) == "没有编号为 9 的积分记录。"
    assert ledger(world.app) == [("王伟", "manual", -3), ("王伟", "correction", 3)]
    assert "日常行为规范｜+0｜+0｜+0" in village.reply("/积分 王伟", ZHANG)


def test_stars_and_colour_at_thresholds_and_the_change_told_once(world, clock, settings):
    settings.points.lookback_days = 0
    village = world.chat()
    village.say("/扣分 王伟 10 日常行为规范 多次缺岗", ZHANG)
    assert "：90 分 ★★★☆☆ 🟢 绿色" in village.reply("/积分 王伟", ZHANG)  # 90 is not below 90
    village.say("/扣分 王伟 1 日常行为规范 迟到", ZHANG)
    assert "：89 分 ★★☆☆☆ 🟡 黄色预警" in village.reply("/积分 王伟", ZHANG)
    award(world.app)
    award(world.app)
    assert village.new_texts() == ["📉 积分预警：王伟 2026年积分 89 分，🟡 黄色预警。请 @张建国 关注。"]
    assert outbox_rows(world.app, "wecom", "wx-yazhuang")[-1].mentions == [ZHANG]
    village.say("/扣分 王伟 10 日常行为规范 无故旷工", ZHANG)
    clock.advance(minutes=10)
    award(world.app)
    assert village.new_texts() == ["📉 积分预警：王伟 2026年积分 79 分，🔴 红色预警。请 @张建国 关注（按规定进行诫勉谈话）。"]


def test_rankings_are_refused_unless_the_township_enables_them(world, settings):
    village = world.chat()
    village.say("/加分 王伟 5 志愿服务 防汛值守", ZHANG)
    assert village.reply("/积分 排行", LI) == "本镇没有开启积分排行（按规定不强制排名），每人可发送 /积分 查看自己的积分。"
    settings.points.townships["芝英镇"] = TownshipPoints(rankings=True)
    ranking = village.reply("/积分 排行 本年", LI)
    assert ranking.startswith("🏆 雅庄村 积分排行（本年）\n1. 王伟｜+5｜★★★★☆")
    assert "公开栏" not in ranking  # no public_url configured


def test_a_township_without_points_keeps_none(world, clock, settings):
    settings.points.townships["芝英镇"] = TownshipPoints(enabled=False)
    clock.set(at("2026-11-24 01:00"))
    assert award(world.app) == 0
    assert world.chat().reply("/积分", ZHANG) == "本镇没有开启积分。"
    assert world.chat().reply("/加分 王伟 5 志愿服务 值守", ZHANG) == "本镇没有开启积分。"


def test_table_replies_end_with_the_page_link(world, settings):
    settings.resolutions.public_url = "https://cunwu.example.cn/"
    village = world.chat()
    vid = world.villages["雅庄村"]
    assert village.reply("/积分", ZHANG).endswith(f"\n公开栏：https://cunwu.example.cn/board/v/{vid}")
    assert village.reply("/考勤 全村", ZHANG).endswith(f"\n公开栏：https://cunwu.example.cn/board/v/{vid}")


def test_a_checkin_correction_later_corrects_the_rule_entry_once(world, clock, settings):
    settings.points.lookback_days = 1
    clock.set(at("2026-11-23 08:40"))
    world.chat().say("/打卡", LI)
    clock.set(at("2026-11-24 01:00"))
    award(world.app)
    clock.set(at("2026-11-24 09:00"))
    assert world.chat().reply("/补卡 李秀英 11-23 在镇里开会", ZHANG).startswith("✅ 已为 李秀英 补卡")
    assert world.chat().reply("/补卡 王伟 11-23 下村走访", ZHANG).startswith("✅ 已为 王伟 补卡")
    award(world.app)
    award(world.app)
    entries = ledger(world.app)
    assert entries.count(("李秀英", "correction", 1)) == 1 and entries.count(("王伟", "correction", 2)) == 1
    assert "更正 #1（打卡迟到 11月23日，记录已变更）" in world.chat().reply("/积分", LI)


def test_notebooks_handed_in_and_missing_after_the_spot_check(world, clock, settings):
    from tests.meeting_helpers import sweep

    settings.points.lookback_days = 0
    township = world.chat("wx-zhiying")
    township.say("/会议 新建 2026-11-24 14:30 两委例会", "sunli")
    clock.set(at("2026-11-24 14:10"))
    township.say("/签到", ZHANG)
    township.say("/签到", WANG)
    clock.set(at("2026-11-24 16:31"))
    sweep(world.app)  # the spot-check draws both who were present
    media = StubMediaServer()  # notebook photos are downloaded and checked like minutes photos
    world.app.media_fetchers["wecom"] = media
    media.put("notebook-photo", image_bytes("white"))
    assert world.chat().reply("/笔记", ZHANG, images=("notebook-photo",)).startswith("📓 已收到 张建国")
    award(world.app)
    assert ("张建国", "notes_handed_in", 1) in ledger(world.app)
    assert ("王伟", "notes_missing", -2) not in ledger(world.app)  # still has until tomorrow 16:30
    clock.set(at("2026-11-25 16:31"))
    award(world.app)
    award(world.app)
    assert ledger(world.app).count(("王伟", "notes_missing", -2)) == 1


def test_the_roll_call_ends_with_the_township_page_link(world, clock, settings):
    from tests.meeting_helpers import sweep

    settings.board.public_url = "https://cunwu.example.cn"
    township = world.chat("wx-zhiying")
    township.say("/会议 新建 2026-11-24 14:30 两委例会", "sunli")
    clock.set(at("2026-11-24 14:41"))
    sweep(world.app)
    roll_call = [t for t in township.new_texts() if t.startswith("📋")]
    assert roll_call[0].endswith(f"\n公开栏：https://cunwu.example.cn/board/t/{world.township_id}")


def test_no_missed_day_points_before_a_members_start(world, clock, settings):
    """Like attendance, points never count a workday before the member's start date."""
    from datetime import date

    from storage.models import Member

    settings.points.lookback_days = 1
    with world.app.unit_of_work() as uow:
        uow.session.get(Member, world.members["王伟"]).start_date = date(2026, 11, 24)  # starts tomorrow
        uow.commit()
    clock.set(at("2026-11-23 08:00"))
    world.chat().say("/打卡", ZHANG)
    world.chat().say("/打卡", LI)
    clock.set(at("2026-11-24 01:00"))
    award(world.app)
    missed = sorted(name for name, rule, _ in ledger(world.app) if rule == "missed_workday")
    assert missed == ["刘洋", "周敏", "赵磊"]  # not 王伟: 11-23 was before his start


def test_colour_notices_read_the_roster_and_groups_the_same_number_of_times_for_any_number_of_villages(
    world, clock, settings
):
    """Members of 2 villages turn yellow, then members of 4 more: each is told to his village's 书记
    (a 书记 who turned yellow himself: to the admins), at the same cost in reads."""
    settings.points.lookback_days = 0
    deduct(world, "王伟", "赵磊")
    few = _award_reads(world.app)
    assert world.chat("dt-lianhu").new_texts() == ["📉 积分预警：赵磊 2026年积分 89 分，🟡 黄色预警。请 @刘洋 关注。"]
    for n in range(1, 5):
        add_village(world, f"新村{n}", [(f"新书记{n}", "书记"), (f"新干部{n}", "村干部")], chat_id=f"wx-new{n}")
    deduct(world, "新书记1", *(f"新干部{n}" for n in range(1, 5)))
    many = _award_reads(world.app)
    assert world.chat("wx-new1").new_texts() == [
        "📉 积分预警：新书记1 2026年积分 89 分，🟡 黄色预警。请 @孙丽 关注。",
        "📉 积分预警：新干部1 2026年积分 89 分，🟡 黄色预警。请 @新书记1 关注。",
    ]
    assert world.chat("wx-new4").new_texts() == ["📉 积分预警：新干部4 2026年积分 89 分，🟡 黄色预警。请 @新书记4 关注。"]
    assert many == few


def deduct(world, *names: str) -> None:
    """11 points off each: from 100 to 89, yellow."""
    with world.app.unit_of_work() as uow:
        for name in names:
            uow.session.add(PointsEntry(township_id=world.township_id, member_id=world.members[name], points=-11,
                                        area="日常行为规范", reason="测试", source="manual",
                                        day=world.app.clock.today(), created_at=world.app.clock.now()))
        uow.commit()


def _award_reads(app) -> int:
    with statements(app.engine) as seen:
        award(app)
    return reads(seen)


def test_the_relays_of_any_number_of_township_meetings_are_read_once(world, clock, settings):
    """传达 points of township meetings: the villages, their 传达 and their 书记 (who answers for a 传达
    never posted) are read once for the whole run of the rules, for one meeting as for three."""
    settings.points.lookback_days = 0
    township = world.chat("wx-zhiying")
    township.reply("/会议 新建 2026-11-24 09:00 例会", "sunli")
    clock.set(at("2026-11-25 12:00"))
    few = _relay_reads(world.app)
    for hour in (9, 10, 11):
        township.reply(f"/会议 新建 2026-11-26 {hour}:00 例会{hour}", "sunli")
    world.chat().reply("/传达 2 已传达", LI)
    clock.set(at("2026-11-27 12:00"))
    many = _relay_reads(world.app)
    assert ledger(world.app).count(("李秀英", "relay_on_time", 1)) == 1
    assert ledger(world.app).count(("刘洋", "relay_overdue", -2)) == 4  # 1 + 3 meetings 莲湖村 never relayed
    assert many == few


def _relay_reads(app) -> int:
    """Reads of the rules' run (the colour check after it has its own roster reads)."""
    with job_context(app) as ctx, statements(app.engine) as seen:
        apply_rules(ctx)
    return touching(seen, "FROM villages", "FROM meeting_relays", "members.village_id =", "members.village_id IN")
