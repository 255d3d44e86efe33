"""Live votes: /表决, one changeable vote each, closing by everyone, by the opener or an admin, or
by the deadline sweep with a moved clock; the result is recorded as a resolution."""

from sqlalchemy import select

import scheduler.runtime
from scheduler.vote_jobs import close_due_votes
from storage.models import Resolution, Vote
from tests.factories import outbox_rows


def resolutions(app) -> list[Resolution]:
    with app.unit_of_work() as uow:
        return list(uow.session.scalars(select(Resolution)))


def test_opening_lists_and_mentions_the_expected_voters(world):
    reply = world.chat().reply("/表决 是否同意修建村东机耕路", "zhangjg")
    assert reply.startswith("🗳 表决 #1：是否同意修建村东机耕路\n应参加表决 5 人：@张建国、@李秀英、@王伟、@陈静、@周敏")
    row = outbox_rows(world.app, "wecom", "wx-yazhuang")[-1]
    assert sorted(row.mentions) == ["chenj", "lixy", "wangw", "zhangjg"]  # 周敏 has no account yet


def test_votes_can_be_changed_and_the_last_voter_closes_it(world, clock):
    chat = world.chat("dt-lianhu")
    chat.reply("/表决 是否同意拨付防汛应急资金5万元", "liuy")
    assert chat.reply("/反对", "zhaol") == "✅ 赵磊：反对（已投 1/2）"
    assert chat.reply("/反对", "zhaol") == "赵磊，您已经投了「反对」。"
    assert chat.reply("/同意", "zhaol") == "🔄 赵磊：由「反对」改为「同意」（已投 1/2）"
    clock.advance(minutes=5)
    said = chat.say("/同意", "liuy")
    assert said[0] == "✅ 刘洋：同意（已投 2/2）"
    assert said[1].startswith("🗳 表决 #1 已结束（全部已投）\n是否同意拨付防汛应急资金5万元\n同意 2，反对 0，弃权 0，未投 0")
    assert "📋 决议 #1 · 莲湖村\n事项：拨付防汛应急资金5万元" in said[1] and "结果：✅ 通过" in said[1]
    assert chat.reply("/同意", "liuy") == "本群现在没有进行中的表决。"
    [resolution] = resolutions(world.app)
    assert (resolution.expected, resolution.present, resolution.agree, resolution.source) == (2, 2, 2, "vote")


def test_only_opener_or_admin_may_close_early(world):
    chat = world.chat()
    chat.reply("/表决 是否同意修建村东机耕路", "zhangjg")
    assert chat.reply("/结束表决", "lixy") == "⛔ 只有发起人张建国或管理员可以提前结束表决 #1。"
    assert resolutions(world.app) == []
    assert chat.reply("/结束表决", "sunli").startswith("🗳 表决 #1 已结束（孙丽提前结束）")
    assert len(resolutions(world.app)) == 1


def test_too_few_voters_fails_quorum(world):
    chat = world.chat()
    chat.reply("/表决 是否同意修建村东机耕路", "zhangjg")
    chat.reply("/同意", "zhangjg")
    chat.reply("/同意", "lixy")
    result = chat.reply("/结束表决", "zhangjg")
    assert "同意 2，反对 0，弃权 0，未投 3" in result
    assert "应到 5 人，实到 2 人（法定人数过半：❌ 未达到）" in result
    assert "结果：❌ 未达到法定人数，决议无效" in result
    assert resolutions(world.app)[0].passed is False


def test_deadline_sweep_closes_once_with_moved_clock(world, clock):
    scheduler.runtime.bind(world.app)
    try:
        chat = world.chat()
        assert "（08:20 截止）" in chat.reply("/表决 是否同意修建村东机耕路 截止 30分钟", "zhangjg")
        for voter in ("zhangjg", "lixy", "wangw"):
            chat.reply("/同意", voter)
        clock.advance(minutes=29)
        assert close_due_votes() == 0
        clock.advance(minutes=1)
        assert close_due_votes() == 1
        assert close_due_votes() == 0
        [result] = chat.new_texts()
        assert result.startswith("🗳 表决 #1 已结束（截止时间到）")
        assert "同意 3，反对 0，弃权 0，未投 2" in result and "结果：✅ 通过" in result
        assert chat.reply("/同意", "chenj") == "本群现在没有进行中的表决。"
    finally:
        scheduler.runtime.bind(None)


def test_clock_time_deadline_and_one_vote_at_a_time(world, clock):
    chat = world.chat()
    assert "（20:00 截止）" in chat.reply("/表决 是否同意修建村道 截止 20:00", "zhangjg")
    assert chat.reply("/表决 是否同意另一件事", "zhangjg").startswith("本群还有进行中的表决 #1")
    with world.app.unit_of_work() as uow:
        assert uow.session.scalar(select(Vote.deadline)).strftime("%H:%M") == "20:00"


def test_past_deadline_is_refused(world, clock):
    assert world.chat().reply("/表决 是否同意修建村道 截止 07:00", "zhangjg") == "截止时间 07:00 已经过了。"


def test_people_outside_the_list_cannot_vote(world):
    chat = world.chat()
    chat.reply("/表决 是否同意修建村道", "zhangjg")
    assert chat.reply("/同意", "sunli") == "孙丽，您不在表决 #1 的名单中。"


def test_bare_agree_in_chat_without_a_vote_is_ignored(world):
    assert world.chat().say("同意", "lixy") == []

