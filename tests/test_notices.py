"""/通知 … 需回复收到 and /收到: who is asked, who answered, the re-alerts at the configured
intervals, the report to the 书记 or the admins, and the final list at the deadline — each sent once,
also when the sweep runs twice or after a restart."""

from __future__ import annotations


from scheduler.notice_jobs import run_due_notices
from scheduler.runtime import job_context
from tests.factories import add_village, outbox_rows
from tests.query_count import reads, statements

NOTICE = "/通知 明天上午9点在村委会开防汛会议 需回复收到 截止 17:00"


def sweep(app) -> int:
    with job_context(app) as ctx:
        return run_due_notices(ctx)


def test_a_secretary_posts_a_notice_with_a_card_that_asks_everyone_else(world):
    chat = world.chat("wx-yazhuang")
    [posted] = chat.say(NOTICE, "zhangjg")
    assert posted == (  # the author is not asked
        "📢 通知 #1（张建国）\n明天上午9点在村委会开防汛会议\n"
        "请 @李秀英、@王伟、@陈静、@周敏 回复 /收到 或点「收到」，17:00 截止"
    )
    [row] = outbox_rows(world.app, "wecom", "wx-yazhuang")
    assert row.card == {"key": "notice_1", "title": "通知 #1", "update": False, "buttons": [["收到", "/收到"]]}
    assert row.mentions == ["lixy", "wangw", "chenj"]  # 周敏 has no WeCom account to @


def test_only_the_village_secretary_or_an_admin_may_post(world):
    assert world.chat("wx-yazhuang").reply(NOTICE, "lixy").startswith("⛔")
    assert world.chat("wx-zhiying").reply("/通知 全镇明天防汛值班 需回复收到", "sunli").startswith("📢 通知 #1（孙丽）")


def test_a_notice_without_需回复收到_is_just_posted(world):
    assert world.chat("wx-yazhuang").reply("/通知 今晚停水", "zhangjg") == "📢 通知（张建国）\n今晚停水"
    assert sweep(world.app) == 0


def test_收到_typed_bare_counts_once_and_the_last_one_closes_the_notice(world):
    chat = world.chat("wx-yazhuang")
    chat.say(NOTICE, "zhangjg")
    assert chat.reply("收到", "lixy") == "✅ 李秀英 已收到通知 #1（1/4）"
    assert chat.reply("/收到", "lixy") == "李秀英，您已于 07:50 收到通知 #1。"
    chat.reply("收到", "wangw")
    chat.reply("收到", "chenj")
    assert chat.say("/收到", "zhangjg") == ["张建国，通知 #1 不需要您回复。"]


def test_everyone_acknowledged_ends_the_re_alerts(world, clock):
    chat = world.chat("wx-yazhuang")
    chat.say("/通知 交材料 需回复收到", "zhangjg")
    for name in ("lixy", "wangw", "chenj"):
        chat.say("收到", name)
    with world.app.unit_of_work() as uow:  # 周敏 has no chat account: ack for the test directly
        from storage.repositories import NoticeRepository

        NoticeRepository(uow.session).add_ack(1, world.members["周敏"], clock.now())
        uow.commit()
    assert chat.say("收到", "lixy")[0].startswith("李秀英，您已于")
    clock.advance(minutes=31)
    assert sweep(world.app) == 0


def test_bare_收到_with_no_notice_is_ordinary_chat(world):
    assert world.chat("wx-yazhuang").say("收到", "lixy") == []


def test_re_alerts_report_and_final_list_each_come_once(world, clock):
    chat = world.chat("wx-yazhuang")
    chat.say(NOTICE, "zhangjg")  # 07:50, deadline 17:00
    chat.say("收到", "lixy")
    assert sweep(world.app) == 0
    clock.advance(minutes=30)
    assert sweep(world.app) == 1
    [realert] = chat.new_texts()
    assert realert == "🔔 通知 #1 还有 3 人没有回复收到：@王伟 @陈静 @周敏\n明天上午9点在村委会开防汛会议\n请回复 /收到 或点「收到」"
    assert sweep(world.app) == 0  # the same step again: nothing new
    chat.say("收到", "wangw")
    chat.new_texts()
    clock.advance(minutes=90)  # 2 h after the notice
    assert sweep(world.app) == 1
    [second] = chat.new_texts()
    assert second.startswith("🔔 通知 #1 还有 2 人没有回复收到")
    clock.advance(minutes=60)  # 3 h: tell the 书记
    assert sweep(world.app) == 1
    [report] = chat.new_texts()
    assert report.startswith("📋 通知 #1 发出已 3 小时，还有 2 人没有回复收到：")
    assert report.endswith("请 @张建国 督促。")
    clock.set(clock.now().replace(hour=17, minute=0))
    assert sweep(world.app) == 1
    [final] = chat.new_texts()
    assert final.startswith("⏹ 通知 #1 已截止：2/4 人收到。未收到：")
    assert "@张建国" in final
    clock.advance(hours=1)
    assert sweep(world.app) == 0
    assert chat.say("/收到", "chenj") == ["本群没有需要回复收到的通知。"]


def test_after_a_long_outage_only_the_latest_step_is_sent(world, clock):
    chat = world.chat("wx-yazhuang")
    chat.say(NOTICE, "zhangjg")
    chat.new_texts()
    clock.advance(hours=3, minutes=5)  # the bot was down through both re-alerts
    assert sweep(world.app) == 1
    [only] = chat.new_texts()
    assert only.startswith("📋 通知 #1 发出已 3 小时")


def test_a_restart_neither_repeats_nor_loses_a_re_alert(world, clock, settings):
    from bot.app import build_app

    chat = world.chat("wx-yazhuang")
    chat.say(NOTICE, "zhangjg")
    clock.advance(minutes=31)
    assert sweep(world.app) == 1
    restarted = build_app(settings, clock=clock, migrate_db=False)  # a new process on the same database
    try:
        assert sweep(restarted) == 0
        clock.advance(minutes=90)
        assert sweep(restarted) == 1
    finally:
        restarted.close()
    keys = sorted(r.dedupe_key for r in outbox_rows(world.app) if r.dedupe_key)
    assert keys == ["notice:1:realert1", "notice:1:realert2"]


def test_a_township_notice_asks_the_village_secretaries_and_reports_to_the_admin(world, clock):
    township = world.chat("wx-zhiying")
    [posted] = township.say("/通知 各村今天上报秋粮数据 需回复收到 截止 30分钟", "sunli")
    assert "@张建国" in posted and "@刘洋" in posted and "@李秀英" not in posted
    township.reply("收到", "zhangjg")
    clock.advance(minutes=30)
    assert sweep(world.app) == 1
    [final] = township.new_texts()
    assert final.startswith("⏹ 通知 #1 已截止：1/2 人收到。未收到：刘洋。")
    assert final.endswith("@孙丽")


def test_a_bare_收到_or_同意_that_cannot_act_is_ordinary_chat_but_a_typed_one_gets_the_reason(world):
    chat = world.chat("wx-yazhuang")
    chat.say(NOTICE, "zhangjg")
    assert chat.say("收到", "zhangjg") == []  # the author, who is not asked: just chat
    assert chat.say("收到", "stranger") == []  # not on the roster: not told how to bind for a chat word
    assert chat.say("同意", "lixy") == []  # no vote running
    assert "不需要您回复" in chat.reply("/收到", "zhangjg")
    assert "绑定" in chat.reply("/收到", "stranger")


def test_the_sweep_reads_the_same_for_one_notice_as_for_five_villages_of_them(world, clock):
    """Every minute the sweep looks at every open notice: the 3-hour report to each village's 书记
    and the minutes after it cost the same reads whatever the number of notices and people asked."""
    world.chat("wx-yazhuang").say("/通知 交材料 需回复收到", "zhangjg")  # 07:50
    few = _report_and_a_minute_later(world.app, clock)
    assert world.chat("wx-yazhuang").new_texts()[-1].endswith("请 @张建国 督促。")
    for n in range(1, 5):
        people = [(f"新书记{n}", "书记"), *((f"新干部{n}-{i}", "村干部") for i in range(6))]
        add_village(world, f"新村{n}", people, chat_id=f"wx-new{n}")
        world.chat(f"wx-new{n}").say("/通知 交材料 需回复收到", f"wx-new{n}-0")  # 10:56
    many = _report_and_a_minute_later(world.app, clock)
    assert world.chat("wx-new4").new_texts()[-1] == (
        "📋 通知 #5 发出已 3 小时，还有 6 人没有回复收到：新干部4-0、新干部4-1、新干部4-2、新干部4-3、新干部4-4、新干部4-5。"
        "请 @新书记4 督促。")
    assert many == few


def _report_and_a_minute_later(app, clock) -> tuple[int, int]:
    clock.advance(hours=3, minutes=5)
    report = _sweep_reads(app)
    clock.advance(minutes=1)
    return report, _sweep_reads(app)


def _sweep_reads(app) -> int:
    with statements(app.engine) as seen:
        sweep(app)
    return reads(seen)
