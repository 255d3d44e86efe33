"""Attendance jobs: the workday check-in reminder, the nightly warning-colour check, and the
re-evaluation of a year's colours when its official schedule is imported.

Both daily jobs decide from the injectable clock whether there is anything to do (rest days send
nothing), and both are safe to run twice: the reminder has one outbox dedupe key per village and
day, and a colour notice goes only when the member's stored colour changes (in the same
transaction). Texts counted from a provisional year carry its mark. A job that fails tells the
admins in chat (`scheduler.job_failures`).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from bot.messages import Reply
from handlers.attendance_report import GREEN, MemberMonth, MonthReport, latest_start, month_report
from handlers.attendance_views import display_names, status_label
from handlers.checkin import card as checkin_card_for
from handlers.names import member_names
from handlers.dates import show_day
from handlers.workdays import calendar_for
from scheduler.job_failures import tell_admins_on_failure
from scheduler.runtime import job_context
from storage.models import AttendanceStatus, Member, Township
from storage.repositories import AttendanceRepository, CheckinRepository, LeaveRepository, OrgRepository

log = logging.getLogger(__name__)

__all__ = ["send_checkin_reminders", "check_attendance_warnings", "reevaluate_year"]

REMINDER = "⏰ 今天（{day}）还有 {n} 人未打卡：{names}\n请尽快发送 /打卡"
WARNING = "⚠️ 考勤预警：{name} {month}已缺勤 {missed} 天，状态 {status}。请 {secretaries} 关注。"
WARNING_FLAGGED = "⛔ 考勤预警：{name} {month}已缺勤 {missed} 天，超过 {limit} 天，按村规视为自动离职。请 {secretaries} 处理。"
CORRECTION = ("🔁 更正：按已公布的 {year} 年放假安排重新计算，{name} {month}缺勤 {missed} 天，状态 {status}。"
              "此前的预警按暂定安排计算，以本条为准。请 {secretaries} 知悉。")


@tell_admins_on_failure("每日打卡提醒")
def send_checkin_reminders() -> None:
    """One message per village group on a workday: @ everyone who must check in and has not."""
    with job_context() as ctx:
        today = ctx.today()
        org = OrgRepository(ctx.session)
        for township in ctx.session.scalars(select(Township).order_by(Township.id)):
            calendar = calendar_for(ctx.settings, township.name)
            if not calendar.is_workday(today):
                continue
            for village in org.villages(township.id):
                _remind_village(ctx, org, village, today, calendar.mark(today))


def _remind_village(ctx, org: OrgRepository, village, today: date, mark: str) -> None:
    groups = org.groups_of_village(village.id)
    roles = set(ctx.settings.attendance.roles)
    members = [m for m in org.members_of_village(village.id) if m.role in roles and _started(m, today)]
    ids = [m.id for m in members]
    done = CheckinRepository(ctx.session).checked_in_member_ids(today, ids)
    excused = LeaveRepository(ctx.session).members_on_leave(ids, today)
    missing = [m for m in members if m.id not in done | excused]
    if not groups or not missing:
        return
    names = member_names(missing)
    text = REMINDER.format(day=show_day(today), n=len(missing), names=" ".join(f"@{names[m.id]}" for m in missing))
    reply = Reply(text + mark, mentions=tuple(m.id for m in missing), card=checkin_card_for(village.id, today))
    ctx.outbox.to_groups(groups, reply, dedupe_key=f"checkin-reminder:{village.id}:{today.isoformat()}")


def _started(member: Member, today: date) -> bool:
    start = latest_start(member.start_date, member.township.started_on)
    return start is None or start <= today


@tell_admins_on_failure("考勤预警")
def check_attendance_warnings() -> None:
    """After a day closes, compare each member's colour for that day's month with the colour last
    notified; a turn to yellow or red (or the >N flag) is told to the village's 书记 in the village
    group, with an @mention. Turning back to green is stored quietly."""
    with job_context() as ctx:
        closed = ctx.today() - timedelta(days=1)
        for township in ctx.session.scalars(select(Township).order_by(Township.id)):
            report = month_report(ctx.session, ctx.settings, township, closed.year, closed.month, ctx.today())
            _notify_changes(ctx, township.id, report)


def reevaluate_year(year: int, app=None) -> int:
    """The official schedule of `year` arrived: recompute every month of it so far and correct the
    colours (and warnings) that were counted provisionally. Returns how many notices were queued."""
    queued = 0
    with job_context(app) as ctx:
        today = ctx.today()
        last_month = 12 if year < today.year else today.month if year == today.year else 0
        for township in ctx.session.scalars(select(Township).order_by(Township.id)):
            for month in range(1, last_month + 1):
                report = month_report(ctx.session, ctx.settings, township, year, month, today)
                queued += _notify_changes(ctx, township.id, report, correcting=True)
    return queued


def _notify_changes(ctx, township_id: int, report: MonthReport, *, correcting: bool = False) -> int:
    repo = AttendanceRepository(ctx.session)
    stored = repo.statuses([row.member_id for row in report.members], report.key)
    warnings: list[tuple[MemberMonth, bool]] = []  # (row, is a correction)
    for row in report.members:
        if not row.started:
            continue  # a month that ended before the member's start is never warned about
        status = stored.get(row.member_id)
        if status is None and correcting:
            continue  # nothing was told about this member yet; the nightly check will be
        if status is None:
            status = repo.add_status(
                AttendanceStatus(member_id=row.member_id, month=report.key, colour=GREEN, flagged=False,
                                 missed=0, updated_at=ctx.now())
            )
        was_warned = status.colour != GREEN or status.flagged
        changed = (row.colour, row.flagged) != (status.colour, status.flagged)
        if changed and correcting and was_warned:
            warnings.append((row, True))
        elif changed and (row.colour != GREEN or row.flagged):
            warnings.append((row, False))
        if changed or status.missed != row.missed:
            status.colour, status.flagged, status.missed, status.updated_at = row.colour, row.flagged, row.missed, ctx.now()
    return _warn(ctx, township_id, report, warnings) if warnings else 0


def _warn(ctx, township_id: int, report: MonthReport, warnings: list[tuple[MemberMonth, bool]]) -> int:
    """Tell each village's 书记 (else the admins) in the village's groups; the roster and the groups
    of all the villages concerned are read once, however many members changed colour."""
    org = OrgRepository(ctx.session)
    villages = {row.village_id for row, _ in warnings}
    overseers = org.secretaries_or_admins([township_id], villages)
    groups = org.groups_of_villages(villages)
    names = display_names(report.members)
    queued = 0
    for row, correction in warnings:
        told = overseers.of(township_id, row.village_id)
        who = "、".join(f"@{m.name}" for m in told) or "书记"
        template = CORRECTION if correction else WARNING_FLAGGED if row.flagged else WARNING
        text = template.format(name=names[row.member_id], month=f"{report.month}月", missed=row.missed,
                               status=status_label(row), year=report.year, limit=ctx.settings.attendance.flag_over,
                               secretaries=who)
        # one key per member, colour and closed day: a rerun of the same night sends nothing more
        kind = "attendance-correction" if correction else "attendance-warning"
        key = f"{kind}:{row.member_id}:{row.colour}:{int(row.flagged)}:{report.upto.isoformat()}"
        reply = Reply(text + report.mark, mentions=tuple(m.id for m in told))
        queued += len(ctx.outbox.to_groups(groups.get(row.village_id, []), reply, dedupe_key=key))
    return queued
