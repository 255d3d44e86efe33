"""/会议 and /签到: meetings of the township or a village, their attendees and the roll call."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from bot.clock import TZ, local
from bot.contract import ANYWHERE, Date, Id, Scope, Text, Time, excerpt
from bot.errors import UserError
from bot.router import Router
from handlers.meeting_posts import describe, minutes_late
from scheduler.meeting_jobs import cancel_sends, plan_sends
from storage.models import Meeting, MeetingAttendee, Member, Role
from storage.repositories import MeetingRepository, OrgRepository

router = Router("meetings")

CREATED = "✅ 已安排会议 #{id}「{title}」\n时间：{time}\n地点：{place}\n主题：{theme}\n应到 {expected} 人，将在会前提醒"
CANCELLED = "🚫 会议 #{id}「{title}」（{time}）已取消，提醒不再发送"
ALREADY_CANCELLED = "会议 #{id}「{title}」（{time}）之前已经取消了"
NONE_UPCOMING = "近期没有安排会议"
LIST_HEAD = "近期会议："
LIST_LINE = "#{id} {time} {title}｜{place}"
SIGNED = "✅ {name} {hhmm} 签到成功：「{title}」"
SIGNED_LATE = "⏰ {name} {hhmm} 签到（迟到 {minutes} 分钟）：「{title}」"
ALREADY_SIGNED = "{name}，您已于 {hhmm} 签到「{title}」"
NO_OPEN_MEETING = "现在没有可以签到的会议（会前 {minutes} 分钟开始签到）"
WHICH_MEETING = "现在有多个会议可以签到，请发送 /签到 编号：{choices}"
NOT_EXPECTED = "{name}不在会议 #{id} 的参会名单中"
IN_PAST = "会议时间 {text} 已经过去了"
NO_SUCH_MEETING = "没有编号为 {id} 的会议"
TOWNSHIP_ONLY_ADMIN = "镇级会议只有管理员可以安排或取消"
NOT_YOURS = "只能取消本村的会议"
UNKNOWN_AUDIENCE = "参会范围里的「{words}」不是角色、村名或分组，请写角色（书记、村干部、党员、村民代表）、村名、分组或「全体」"
EMPTY_AUDIENCE = "参会范围「{text}」里没有人，请写角色（书记、村干部、党员）、村名、分组或「全体」"
SECRETARY = frozenset({"书记"})
ROLES = frozenset(role.value for role in Role)
MEETING_ID = (Id("meeting", "编号"),)


@router.command("会议", places=ANYWHERE, scope=Scope.SELF, args=())
def list_meetings(message, ctx):
    """查看近期会议；书记、管理员可安排或取消会议
    /会议 —— 查看近期会议
    /会议 新建 2026-12-05 14:30 两委例会 主题：安全生产 地点：镇三楼会议室 参会：书记,村干部
    /会议 取消 编号
    """
    group = ctx.group
    found = MeetingRepository(ctx.session).upcoming(
        ctx.member.township_id, ctx.now() - timedelta(hours=3), group.village_id if group else ctx.member.village_id
    )
    if not found:
        return NONE_UPCOMING
    return "\n".join([LIST_HEAD, *(LIST_LINE.format(**describe(m)) for m in found[:20])])


@router.command(
    "会议", sub="新建", roles=SECRETARY, places=ANYWHERE, scope=Scope.VILLAGE,
    args=(
        Date("day", "日期", past_days=366, future_days=366),
        Time("at", "时间"),
        Text("title", "会议名称", word=True, max_len=64),
        Text("theme", "主题", key=("主题",), optional=True, default="", max_len=256),
        Text("place", "地点", key=("地点",), optional=True, default="", max_len=128),
        Text("audience", "参会", key=("参会",), optional=True, default="", max_len=200),
    ),
)
def new_meeting(message, ctx):
    """书记安排本村会议，管理员安排镇级会议
    /会议 新建 2026-12-05 14:30 两委例会 主题：安全生产 地点：镇三楼会议室 参会：书记,村干部
    """
    params = ctx.params
    starts_at = datetime.combine(params.day, params.at, tzinfo=TZ)
    if starts_at <= ctx.now():
        raise UserError(IN_PAST.format(text=f"{starts_at:%Y-%m-%d %H:%M}"))
    village_id = ctx.group.village_id if ctx.group else ctx.member.village_id
    ctx.policy.require_village(village_id, refusal=TOWNSHIP_ONLY_ADMIN if village_id is None else NOT_YOURS)
    meeting = create_meeting(
        ctx, township_id=ctx.member.township_id, village_id=village_id, title=params.title,
        theme=params.theme, place=params.place, starts_at=starts_at,
        audience=params.audience, created_by=ctx.member,
    )
    return CREATED.format(expected=len(meeting.attendees), **describe(meeting))


def create_meeting(
    ctx, *, township_id: int, village_id: int | None, title: str, theme: str, place: str,
    starts_at: datetime, audience: str = "", created_by: Member | None = None, source: str | None = None,
) -> Meeting:
    """Create a meeting with its expected attendees and its planned sends."""
    members = resolve_audience(ctx, township_id, village_id, audience)
    if not members:
        raise UserError(EMPTY_AUDIENCE.format(text=audience or "默认"))
    meeting = Meeting(
        township_id=township_id, village_id=village_id, title=title, theme=theme, place=place,
        starts_at=starts_at, status="scheduled", spot_seed=random.SystemRandom().randrange(2**31),
        source=source, created_by_id=created_by.id if created_by else None, created_at=ctx.now(),
    )
    repo = MeetingRepository(ctx.session)
    repo.add(meeting, [m.id for m in members], plan_sends(meeting, ctx.settings.meetings, ctx.now()))
    ctx.session.refresh(meeting, ["attendees"])
    return meeting


def resolve_audience(ctx, township_id: int, village_id: int | None, audience: str) -> list[Member]:
    """Members expected: tokens are roles, village names, teams or 全体 (comma-separated).
    Default: a village meeting expects the whole village; a township meeting its 书记 and 村干部."""
    everyone = [m for m in MeetingRepository(ctx.session).members_for(township_id, village_id) if not m.is_admin]
    tokens = [t.strip() for t in re.split(r"[,，、]", audience) if t.strip()]
    if not tokens:
        tokens = ["全体"] if village_id is not None else ["书记", "村干部"]
    villages = {v.name: v.id for v in OrgRepository(ctx.session).villages(township_id)}
    known = {"全体", *ROLES, *villages, *(m.team for m in everyone if m.team)}
    unknown = [t for t in tokens if t not in known]
    if unknown:  # a typo would silently shrink the list of who is expected
        raise UserError(UNKNOWN_AUDIENCE.format(words="、".join(excerpt(t, 10) for t in unknown[:5])))
    if "全体" in tokens:
        return everyone
    wanted_villages = {villages[t] for t in tokens if t in villages}
    return [m for m in everyone if m.role in tokens or m.team in tokens or m.village_id in wanted_villages]


@router.command("会议", sub="取消", roles=SECRETARY, places=ANYWHERE, scope=Scope.VILLAGE, args=MEETING_ID)
def cancel_meeting(message, ctx):
    """取消会议（本村的由书记，镇级的由管理员）
    /会议 取消 编号
    """
    meeting = _meeting_of_township(ctx, ctx.params.meeting)
    ctx.policy.require_village(
        meeting.village_id, meeting.township_id, refusal=TOWNSHIP_ONLY_ADMIN if meeting.village_id is None else NOT_YOURS
    )
    if meeting.cancelled:
        return ALREADY_CANCELLED.format(**describe(meeting))
    meeting.status = "cancelled"
    cancel_sends(MeetingRepository(ctx.session), meeting)
    return CANCELLED.format(**describe(meeting))


def _meeting_of_township(ctx, meeting_id: int) -> Meeting:
    meeting = MeetingRepository(ctx.session).get(meeting_id)
    if meeting is None or meeting.township_id != ctx.member.township_id:
        raise UserError(NO_SUCH_MEETING.format(id=meeting_id))
    return meeting


@router.command(
    "签到", aliases=("会议签到",), places=ANYWHERE, scope=Scope.SELF, args=(Id("meeting", "编号", optional=True),)
)
def sign_in(message, ctx):
    """会议签到：会前30分钟起可签，开会后签到记为迟到
    /签到 —— 签到当前的会议
    /签到 编号 —— 同时有多个会议时指定编号
    """
    settings = ctx.settings.meetings
    at = local(message.received_at)
    repo = MeetingRepository(ctx.session)
    if ctx.params.meeting is not None:
        meeting = _meeting_of_township(ctx, ctx.params.meeting)
        if not _signin_open(meeting, at, settings):
            raise UserError(NO_OPEN_MEETING.format(minutes=settings.signin_open_minutes))
    else:
        open_ = repo.open_for_signin(
            ctx.member.id,
            at + timedelta(minutes=settings.signin_open_minutes),
            at - timedelta(minutes=settings.signin_close_minutes),
        )
        if not open_:
            raise UserError(NO_OPEN_MEETING.format(minutes=settings.signin_open_minutes))
        if len(open_) > 1:
            raise UserError(WHICH_MEETING.format(choices="、".join(f"#{m.id} {m.title}" for m in open_)))
        meeting = open_[0]
    attendee = repo.attendee(meeting.id, ctx.member.id)
    if attendee is None:
        raise UserError(NOT_EXPECTED.format(name=ctx.member.name, id=meeting.id))
    return _record_signin(meeting, attendee, ctx.member, at)


def _signin_open(meeting: Meeting, at: datetime, settings) -> bool:
    return (
        not meeting.cancelled
        and meeting.starts_at - timedelta(minutes=settings.signin_open_minutes) <= at
        and at <= meeting.starts_at + timedelta(minutes=settings.signin_close_minutes)
    )


def _record_signin(meeting: Meeting, attendee: MeetingAttendee, member: Member, at: datetime) -> str:
    if attendee.signed_at is not None:
        return ALREADY_SIGNED.format(name=member.name, hhmm=f"{local(attendee.signed_at):%H:%M}", title=meeting.title)
    attendee.signed_at = at
    attendee.late = at > meeting.starts_at
    if attendee.late:
        return SIGNED_LATE.format(
            name=member.name, hhmm=f"{at:%H:%M}", minutes=minutes_late(meeting, attendee), title=meeting.title
        )
    return SIGNED.format(name=member.name, hhmm=f"{at:%H:%M}", title=meeting.title)
