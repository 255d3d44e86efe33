"""Attendance jobs: the workday check-in reminder, and the nightly warning-colour check.

Both decide from the injectable clock whether there is anything to do (rest days send nothing),
and both are safe to run twice: the reminder has one outbox dedupe key per village and day, and
a colour notice goes only when the member's stored colour changes (in the same transaction).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from bot.messages import Reply
from handlers.attendance_report import GREEN, month_report
from handlers.attendance_views import status_label
from handlers.checkin import card as checkin_card_for
from handlers.dates import show_day
from handlers.workdays import CalendarNotCovered, calendar_for
from scheduler.runtime import job_context
from storage.models import AttendanceStatus, Member, Role, Township
from storage.repositories import AttendanceRepository, CheckinRepository, LeaveRepository, OrgRepository

log = logging.getLogger(__name__)

__all__ = ["send_checkin_reminders", "check_attendance_warnings"]

REMINDER = "⏰ 今天（{day}）还有 {n} 人未打卡：{names}\n请尽快发送 /打卡"
WARNING = "⚠️ 考勤预警：{name} {month}已缺勤 {missed} 天，状态 {status}。请 {secretaries} 关注。"
WARNING_FLAGGED = "⛔ 考勤预警：{name} {month}已缺勤 {missed} 天，超过 {limit} 天，按村规视为自动离职。请 {secretaries} 处理。"


def send_checkin_reminders() -> None:
    """One message per village group on a workday: @ everyone who must check in and has not."""
    with job_context() as ctx:
        today = ctx.today()
        org = OrgRepository(ctx.session)
        for township in ctx.session.scalars(select(Township).order_by(Township.id)):
            try:
                if not calendar_for(ctx.settings, township.name).is_workday(today):
                    continue
            except CalendarNotCovered as error:
                log.error("no check-in reminder for %s: %s", township.name, error)
                continue
            for village in org.villages(township.id):
                _remind_village(ctx, org, village, today)


def _remind_village(ctx, org: OrgRepository, village, today) -> None:
    groups = org.groups_of_village(village.id)
    roles = set(ctx.settings.attendance.roles)
    members = [m for m in org.members_of_village(village.id) if m.role in roles]
    ids = [m.id for m in members]
    done = CheckinRepository(ctx.session).checked_in_member_ids(today, ids)
    excused = LeaveRepository(ctx.session).members_on_leave(ids, today)
    missing = [m for m in members if m.id not in done | excused]
    if not groups or not missing:
        return
    text = REMINDER.format(day=show_day(today), n=len(missing), names=" ".join(f"@{m.name}" for m in missing))
    reply = Reply(text, mentions=tuple(m.id for m in missing), card=checkin_card_for(village.id, today))
    ctx.outbox.to_groups(groups, reply, dedupe_key=f"checkin-reminder:{village.id}:{today.isoformat()}")


def check_attendance_warnings() -> None:
    """After a day closes, compare each member's colour for that day's month with the colour last
    notified; a turn to yellow or red (or the >N flag) is told to the village's 书记 in the village
    group, with an @mention. Turning back to green is stored quietly."""
    with job_context() as ctx:
        closed = ctx.today() - timedelta(days=1)
        for township in ctx.session.scalars(select(Township).order_by(Township.id)):
            try:
                report = month_report(ctx.session, ctx.settings, township, closed.year, closed.month, ctx.today())
            except CalendarNotCovered as error:
                log.error("no attendance warnings for %s: %s", township.name, error)
                continue
            _notify_changes(ctx, report)


def _notify_changes(ctx, report) -> None:
    repo = AttendanceRepository(ctx.session)
    org = OrgRepository(ctx.session)
    stored = repo.statuses([row.member_id for row in report.members], report.key)
    for row in report.members:
        status = stored.get(row.member_id)
        if status is None:
            status = repo.add_status(
                AttendanceStatus(member_id=row.member_id, month=report.key, colour=GREEN, flagged=False,
                                 missed=0, updated_at=ctx.now())
            )
        changed = (row.colour, row.flagged) != (status.colour, status.flagged)
        if changed and (row.colour != GREEN or row.flagged):
            _warn(ctx, org, report, row)
        if changed or status.missed != row.missed:
            status.colour, status.flagged, status.missed, status.updated_at = row.colour, row.flagged, row.missed, ctx.now()


def _warn(ctx, org: OrgRepository, report, row) -> None:
    secretaries = [
        m for m in org.members_of_village(row.village_id) if m.role == Role.SECRETARY.value
    ] or org.admins(ctx.session.get(Member, row.member_id).township_id)
    names = "、".join(f"@{m.name}" for m in secretaries) or "书记"
    month = f"{report.month}月"
    template = WARNING_FLAGGED if row.flagged else WARNING
    text = template.format(name=row.name, month=month, missed=row.missed, status=status_label(row),
                           limit=ctx.settings.attendance.flag_over, secretaries=names)
    # one key per member, colour and closed day: a rerun of the same night sends nothing more
    key = f"attendance-warning:{row.member_id}:{row.colour}:{int(row.flagged)}:{report.upto.isoformat()}"
    ctx.outbox.to_groups(org.groups_of_village(row.village_id), Reply(text, mentions=tuple(m.id for m in secretaries)),
                         dedupe_key=key)
