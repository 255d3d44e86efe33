"""/通知 and /收到: notices that keep asking until everyone has said 收到.

A 书记 (in a village group) or an admin (in the township group) posts `/通知 内容 需回复收到
[截止 时间]`; the notice carries a 收到 button. `/收到` (typed, bare, or the tap) records who has
acknowledged. The re-alerts, the report to the 书记/admins and the final list come from the sweep
in scheduler/notice_jobs.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.cards import NOTICE_CARD
from bot.clock import local
from bot.contract import GROUPS, AnyOf, Choice, Duration, Id, Scope, Text, Time
from bot.errors import UserError
from bot.messages import Button, Card, Reply
from bot.router import Router
from handlers.choosing import deadline_from
from storage.models import Member, Notice, Role
from storage.repositories import NoticeRepository, OrgRepository

router = Router("notices")

SECRETARY = Role.SECRETARY.value
POSTED = "📢 通知 #{id}（{author}）\n{text}"
PLAIN = "📢 通知（{author}）\n{text}"
ASK_ACK = "请 {names} 回复 /收到 或点「收到」{deadline}"
DEADLINE_SHOWN = "，{at} 截止"
ONLY_OWN_SECRETARY = "⛔ 村里的群只有本村书记（或管理员）可以发通知。"
ONLY_ADMIN = "⛔ 镇里的群只有管理员可以发通知。"
NOBODY = "这个群没有需要回复收到的人员，请先导入花名册。"
ACKED = "✅ {name} 已收到通知 #{id}（{done}/{total}）"
ALL_ACKED = "🎉 通知 #{id}：{total} 人已全部收到。"
ALREADY = "{name}，您已于 {time} 收到通知 #{id}。"
NOT_ASKED = "{name}，通知 #{id} 不需要您回复。"
NO_OPEN = "本群没有需要回复收到的通知。"
CARD_TITLE = "通知 #{id}"
CARD_STATUS = "已收到 {done}/{total}"
CARD_CLOSED = "已截止：{done}/{total} 人收到"
ACK_BUTTON = Button("收到", "/收到")



ACK_FLAG = Choice("needs_ack", "需回复收到", key=("需要回复", "需回复"), values={"收到": True},
                  optional=True, default=False)
DEADLINE_ARG = AnyOf(
    "deadline", "截止时间", key=("截止时间", "截止"), optional=True,
    choices=(Time("at"), Duration("span", max_minutes=14 * 24 * 60)),
)


@router.command(
    "通知", roles={SECRETARY}, places=GROUPS, scope=Scope.VILLAGE,
    args=(ACK_FLAG, DEADLINE_ARG, Text("text", "通知内容", max_len=1000)),
)
def post_notice(message, ctx):
    """发通知；写“需回复收到”时，没回复的人会被再次@，截止时报告名单
    /通知 明天上午9点在村委会开防汛会议 需回复收到
    /通知 请各村今天上报秋粮数据 需回复收到 截止 17:00
    """
    group = ctx.group  # a village group: its 书记 (or an admin); the township group: admins only
    ctx.policy.require_village(group.village_id, group.township_id,
                               refusal=ONLY_OWN_SECRETARY if group.village_id else ONLY_ADMIN)
    text, deadline = ctx.params.text, _deadline(ctx)
    if not ctx.params.needs_ack:
        return PLAIN.format(author=ctx.member.name, text=text)
    audience = [m for m in _audience(ctx) if m.id != ctx.member.id]
    if not audience:
        raise UserError(NOBODY)
    deadline = deadline or ctx.now() + timedelta(hours=ctx.settings.notices.default_deadline_hours)
    notice = NoticeRepository(ctx.session).add(
        Notice(township_id=ctx.group.township_id, group_id=ctx.group.id, author_id=ctx.member.id, text=text,
               needs_ack=True, expected_ids=[m.id for m in audience], created_at=ctx.now(), deadline=deadline)
    )
    names = "、".join(f"@{m.name}" for m in audience)
    ask = ASK_ACK.format(names=names, deadline=DEADLINE_SHOWN.format(at=show_moment(ctx, deadline)))
    body = POSTED.format(id=notice.id, author=ctx.member.name, text=text) + "\n" + ask
    return Reply(body, mentions=tuple(m.id for m in audience), card=card(notice))


@router.command("收到", aliases=("已收到",), places=GROUPS, scope=Scope.SELF,
                args=(Id("notice", "通知编号", optional=True),))
def acknowledge(message, ctx):
    """回复收到本群需要回复的通知（也可以点通知上的「收到」按钮）
    /收到
    /收到 3
    """
    notices = NoticeRepository(ctx.session)
    notice = _notice_to_ack(ctx, notices)
    if notice is None:
        raise UserError(NO_OPEN)  # silent for a bare 收到 in ordinary chat (bot.middleware.errors)
    member = ctx.member
    if member.id not in notice.expected_ids:
        raise UserError(NOT_ASKED.format(name=member.name, id=notice.id))
    earlier = notices.ack_of(notice.id, member.id)
    if earlier is None:
        try:
            with ctx.session.begin_nested():
                notices.add_ack(notice.id, member.id, ctx.now())
        except IntegrityError:  # the tap and the typed 收到 arrived together; the other one counted
            earlier = notices.ack_of(notice.id, member.id)
    if earlier is not None:
        return ALREADY.format(name=member.name, time=local(earlier.acked_at).strftime("%H:%M"), id=notice.id)
    done, total = len(notices.acked_ids(notice.id) & set(notice.expected_ids)), len(notice.expected_ids)
    said = ACKED.format(name=member.name, id=notice.id, done=done, total=total)
    if done == total:
        notice.closed_at = ctx.now()
        return [said, ALL_ACKED.format(id=notice.id, total=total)]
    return said


def card(notice: Notice) -> Card:
    return Card(NOTICE_CARD.build(notice.id), CARD_TITLE.format(id=notice.id), (ACK_BUTTON,))


def notice_card(ctx, rest: str) -> Reply | None:
    """The card `notice_<id>` as it is now: the notice and "已收到 12/15"."""
    (notice_id,) = NOTICE_CARD.parse(rest)
    notice = ctx.session.get(Notice, notice_id)
    if notice is None:
        return None
    done = len(NoticeRepository(ctx.session).acked_ids(notice.id) & set(notice.expected_ids))
    total = len(notice.expected_ids)
    past = notice.closed_at is not None and done < total
    status = (CARD_CLOSED if past else CARD_STATUS).format(done=done, total=total)
    return Reply(f"{notice.text}\n{status}", card=card(notice))


def show_moment(ctx, moment) -> str:
    moment = local(moment)
    return moment.strftime("%H:%M") if moment.date() == ctx.today() else f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def _audience(ctx) -> list[Member]:
    if ctx.group.village_id is not None:
        return OrgRepository(ctx.session).members_of_village(ctx.group.village_id)
    return NoticeRepository(ctx.session).township_audience(ctx.group.township_id)


def _notice_to_ack(ctx, notices: NoticeRepository) -> Notice | None:
    open_ones = notices.open_in_group(ctx.group.id)
    if ctx.params.notice is not None:
        return next((n for n in open_ones if n.id == ctx.params.notice), None)
    mine = [n for n in open_ones if ctx.member.id in n.expected_ids]
    pending = [n for n in mine if notices.ack_of(n.id, ctx.member.id) is None]
    return (pending or mine or open_ones or [None])[0]


def _deadline(ctx):
    return deadline_from(ctx.params.deadline, ctx.now())
