"""What a meeting's planned sends say: reminders, the close of on-time sign-in, the 迟到席 roll
call, the notebook spot-check and its reminder, and the 传达 reminder and overdue list.

`post(ctx, send)` is called by the scheduler's sweep when a planned send comes due; it writes to the
outbox with a dedupe key per meeting and kind, so a send run twice is queued once.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from bot.clock import local
from bot.context import Context
from bot.messages import Reply
from handlers.names import member_names
from handlers.board_links import page_line
from storage.models import GroupChat, Meeting, MeetingAttendee, MeetingRelay, MeetingSend, Village
from storage.repositories import LeaveRepository, MeetingRepository, OrgRepository

REMINDER = "📅 会议提醒：{when_left}召开「{title}」\n时间：{time}\n地点：{place}\n主题：{theme}\n会前30分钟起发送 /签到 {id} 签到"
SIGNIN_CLOSED = "🔔「{title}」已开始，准时签到截止：已签到 {present}/{expected} 人。此后签到记为迟到。"
ROLL_CALL_HEAD = "📋「{title}」点名（{time}）\n应到 {expected} 人｜实到 {present} 人｜迟到 {late} 人｜缺席 {absent} 人｜请假 {excused} 人"
LATE_SEAT = "迟到席："
LATE_LINE = "{name} 迟到 {minutes} 分钟"
ABSENT = "缺席（请说明原因）："
EXCUSED = "请假："
SPOT_CHECK = "📓「{title}」笔记抽查：请以下同志在 {deadline} 前把会议笔记拍照发到群里（或 /笔记 + 照片）"
SPOT_REMIND = "⏰「{title}」笔记抽查提醒：还没有上传笔记照片，请在 {deadline} 前上传"
RELAY_REMIND = "⏰「{title}」要求 {deadline} 前完成传达，{village}还没有传达。请发送 /传达 {id} 传达内容（可附照片）"
RELAY_OVERDUE = "⚠️「{title}」传达逾期（截止 {deadline}）：{villages}"
RELAY_ALL_DONE = "✅「{title}」各村均已按时传达"


def meeting_groups(ctx: Context, meeting: Meeting) -> list[GroupChat]:
    org = OrgRepository(ctx.session)
    if meeting.is_township_meeting:
        return org.township_groups(meeting.township_id)
    return org.groups_of_village(meeting.village_id)


def post(ctx: Context, send: MeetingSend) -> None:
    meeting = send.meeting
    key = f"meeting:{meeting.id}:{send.kind}"
    if send.kind.startswith("remind"):
        _to_groups(ctx, meeting, Reply(_reminder_text(meeting, send)), key)
    elif send.kind == "signin_close":
        _to_groups(ctx, meeting, Reply(_signin_closed_text(ctx, meeting)), key)
    elif send.kind == "roll_call":
        _to_groups(ctx, meeting, roll_call(ctx, meeting), key)
    elif send.kind == "spot_check":
        reply = spot_check(ctx, meeting)
        if reply is not None:
            _to_groups(ctx, meeting, reply, key)
    elif send.kind == "spot_remind":
        reply = _spot_reminder(ctx, meeting)
        if reply is not None:
            _to_groups(ctx, meeting, reply, key)
    elif send.kind == "relay_remind":
        _relay_reminders(ctx, meeting, key)
    elif send.kind == "relay_overdue":
        _to_groups(ctx, meeting, Reply(_relay_overdue_text(ctx, meeting)), key)


def _to_groups(ctx: Context, meeting: Meeting, reply: Reply, key: str) -> None:
    ctx.outbox.to_groups(meeting_groups(ctx, meeting), reply, dedupe_key=key)


def describe(meeting: Meeting) -> dict[str, str]:
    return {
        "id": str(meeting.id),
        "title": meeting.title,
        "time": f"{local(meeting.starts_at):%Y-%m-%d %H:%M}",
        "place": meeting.place or "另行通知",
        "theme": meeting.theme or "—",
    }


def _reminder_text(meeting: Meeting, send: MeetingSend) -> str:
    left = meeting.starts_at - send.due_at
    minutes = round(left.total_seconds() / 60)
    if minutes >= 24 * 60:
        when_left = f"{minutes // (24 * 60)} 天后"
    elif minutes >= 60:
        when_left = f"{minutes // 60} 小时后"
    else:
        when_left = f"{minutes} 分钟后"
    return REMINDER.format(when_left=when_left, **describe(meeting))


def _signin_closed_text(ctx: Context, meeting: Meeting) -> str:
    attendees = MeetingRepository(ctx.session).attendees(meeting.id)
    present = sum(1 for a in attendees if a.signed_at is not None)
    return SIGNIN_CLOSED.format(present=present, expected=len(attendees), **describe(meeting))


def classify(ctx: Context, meeting: Meeting) -> dict[str, list[MeetingAttendee]]:
    """Attendees as on time / late / excused (approved leave that day, not signed in) / absent."""
    attendees = MeetingRepository(ctx.session).attendees(meeting.id)
    on_leave = LeaveRepository(ctx.session).members_on_leave(
        [a.member_id for a in attendees], local(meeting.starts_at).date()
    )
    groups: dict[str, list[MeetingAttendee]] = {"on_time": [], "late": [], "excused": [], "absent": []}
    for attendee in attendees:
        if attendee.signed_at is not None:
            groups["late" if attendee.late else "on_time"].append(attendee)
        elif attendee.member_id in on_leave:
            groups["excused"].append(attendee)
        else:
            groups["absent"].append(attendee)
    return groups


def minutes_late(meeting: Meeting, attendee: MeetingAttendee) -> int:
    return max(1, math.ceil((attendee.signed_at - meeting.starts_at).total_seconds() / 60))


def roll_call(ctx: Context, meeting: Meeting) -> Reply:
    groups = classify(ctx, meeting)
    late, absent, excused = groups["late"], groups["absent"], groups["excused"]
    lines = [
        ROLL_CALL_HEAD.format(
            expected=sum(len(g) for g in groups.values()),
            present=len(groups["on_time"]) + len(late),
            late=len(late),
            absent=len(absent),
            excused=len(excused),
            **describe(meeting),
        )
    ]
    names = member_names(a.member for group in groups.values() for a in group)  # namesakes told apart
    if late:
        lines.append(LATE_SEAT)
        lines += [LATE_LINE.format(name=names[a.member_id], minutes=minutes_late(meeting, a)) for a in late]
    if absent:
        lines.append(ABSENT)
        lines += [f"@{names[a.member_id]}" for a in absent]
    if excused:
        lines.append(EXCUSED + "、".join(names[a.member_id] for a in excused))
    return Reply("\n".join(lines) + page_line(ctx, meeting.village_id, meeting.township_id),
                 mentions=tuple(a.member_id for a in absent))


def spot_check(ctx: Context, meeting: Meeting) -> Reply | None:
    """Draw k present attendees with the meeting's stored seed (same seed, same choice) and ask them."""
    attendees = [a for a in MeetingRepository(ctx.session).attendees(meeting.id) if a.signed_at is not None]
    pool = sorted(attendees, key=lambda a: a.member_id)
    count = min(ctx.settings.meetings.spot_check_count, len(pool))
    if count == 0:
        return None
    picked = random.Random(meeting.spot_seed).sample(pool, count)
    for attendee in picked:
        attendee.spot_checked = True
    ctx.session.flush()
    names = [f"@{a.member.name}" for a in picked]
    head = SPOT_CHECK.format(deadline=_spot_deadline(ctx, meeting), **describe(meeting))
    return Reply("\n".join([head, *names]), mentions=tuple(a.member_id for a in picked))


def _spot_deadline(ctx: Context, meeting: Meeting) -> str:
    settings = ctx.settings.meetings
    drawn = meeting.starts_at + timedelta(minutes=settings.spot_check_after_minutes)
    return f"{local(drawn + timedelta(hours=settings.spot_check_hours)):%m-%d %H:%M}"


def _spot_reminder(ctx: Context, meeting: Meeting) -> Reply | None:
    missing = [
        a for a in MeetingRepository(ctx.session).attendees(meeting.id) if a.spot_checked and a.notes_ref is None
    ]
    if not missing:
        return None
    head = SPOT_REMIND.format(deadline=_spot_deadline(ctx, meeting), **describe(meeting))
    return Reply("\n".join([head, *(f"@{a.member.name}" for a in missing)]), mentions=tuple(a.member_id for a in missing))


def relay_deadline(ctx: Context, meeting: Meeting) -> str:
    return f"{local(meeting.starts_at + timedelta(hours=ctx.settings.meetings.relay_hours)):%m-%d %H:%M}"


RelayStates = dict[int, list[tuple[Village, MeetingRelay | None]]]  # meeting id -> (village, its 传达 or None)


def relay_states(ctx: Context, township_id: int, meetings: list[Meeting]) -> RelayStates:
    """Meeting id -> every village of the township with its 传达 of that township meeting (None: not
    yet). The villages and the relays are loaded once, however many meetings are asked about."""
    if not meetings:
        return {}
    villages = OrgRepository(ctx.session).villages(township_id)
    relays = MeetingRepository(ctx.session).relays_of([m.id for m in meetings])
    return {m.id: [(v, relays.get(m.id, {}).get(v.id)) for v in villages] for m in meetings}


def pending_relay_villages(ctx: Context, meeting: Meeting) -> list[Village]:
    states = relay_states(ctx, meeting.township_id, [meeting])[meeting.id]
    return [village for village, relay in states if relay is None]


def _relay_reminders(ctx: Context, meeting: Meeting, key: str) -> None:
    pending = pending_relay_villages(ctx, meeting)
    groups = OrgRepository(ctx.session).groups_of_villages(v.id for v in pending)
    for village in pending:
        text = RELAY_REMIND.format(deadline=relay_deadline(ctx, meeting), village=village.name, **describe(meeting))
        ctx.outbox.to_groups(groups.get(village.id, []), Reply(text), dedupe_key=f"{key}:{village.id}")


def _relay_overdue_text(ctx: Context, meeting: Meeting) -> str:
    late = pending_relay_villages(ctx, meeting)
    if not late:
        return RELAY_ALL_DONE.format(**describe(meeting))
    names = "、".join(v.name for v in late)
    return RELAY_OVERDUE.format(deadline=relay_deadline(ctx, meeting), villages=names, **describe(meeting))
