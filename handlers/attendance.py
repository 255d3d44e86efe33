"""/考勤 and /补卡: a member's month, a village's or the township's table, and a 书记's correction
of a check-in record (kept as an audit entry)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import TZ
from bot.contract import ANYWHERE, Date, Month, Name, Scope, Text
from bot.errors import UserError
from bot.router import Router
from handlers.attendance_report import month_report
from handlers.attendance_views import member_summary, township_tables, village_table
from handlers.board_links import page_line
from handlers.dates import show_day
from handlers.workdays import calendar_for
from storage.models import Checkin, CheckinCorrection, Role
from storage.repositories import AttendanceRepository, CheckinRepository, OrgRepository

router = Router("attendance")

LEADERS = frozenset({Role.SECRETARY.value})
WHOLE_VILLAGE, WHOLE_TOWNSHIP = "全村", "全镇"

NOT_ON_LIST = "{name}，您不在考勤名单上（{roles}需要每天打卡）。"
NO_VILLAGE = "请在村的群里发送 /考勤 全村，或发送 /考勤 全镇。"
NO_MEMBER = "本村花名册里没有「{name}」。"
FUTURE_DAY = "{day}还没到，不能补卡。"
ALREADY_FINE = "{name} {day}已正常打卡，不需要补卡。"
CORRECTED = "✅ 已为 {name} 补卡：{day}（原为{previous}），理由：{reason}。补卡人 {by}，已记录在案。"
PREVIOUS = {"missing": "未打卡", "late": "迟到"}
REST_DAY_NOTE = "（{day}是休息日，不计入应出勤）"


MONTH = Month("month", "月份", optional=True)


@router.command("考勤", aliases=("出勤",), places=ANYWHERE, scope=Scope.SELF, args=(MONTH,))
def attendance(message, ctx):
    """查看本月考勤：应出勤、已打卡、迟到、请假、缺勤和预警状态
    /考勤            看自己本月
    /考勤 10月        看自己某月
    书记/管理员：/考勤 全村 ｜ /考勤 全镇 ｜ /考勤 全村 10月
    """
    report = _report(ctx, ctx.member.village_id)
    own = report.of_member(ctx.member.id)
    if own is None:
        raise UserError(NOT_ON_LIST.format(name=ctx.member.name, roles="、".join(ctx.settings.attendance.roles)))
    return member_summary(report, own)


@router.command("考勤", sub=WHOLE_VILLAGE, roles=LEADERS, places=ANYWHERE, scope=Scope.VILLAGE, args=(MONTH,))
def village_attendance(message, ctx):
    """书记、管理员查看本村本月（或某月）考勤表
    /考勤 全村 ｜ /考勤 全村 10月
    """
    village_id = _village_for(ctx)
    report = _report(ctx, village_id)
    return village_table(report, _village_name(ctx, village_id), report.members) + page_line(ctx, village_id)


@router.command("考勤", sub=WHOLE_TOWNSHIP, roles=LEADERS, places=ANYWHERE, scope=Scope.TOWNSHIP, args=(MONTH,))
def township_attendance(message, ctx):
    """书记、管理员查看全镇本月（或某月）考勤表
    /考勤 全镇 ｜ /考勤 全镇 10月
    """
    return township_tables(_report(ctx, None)) + page_line(ctx, township_id=ctx.member.township_id)


def _report(ctx, village_id: int | None):
    month = ctx.params.month or (ctx.today().year, ctx.today().month)
    return month_report(ctx.session, ctx.settings, ctx.member.township, *month, ctx.today(), village_id=village_id)


def _village_for(ctx) -> int:
    """A 书记's own village; an admin's: the village of the group asked in. Nothing else to check:
    a 书记 with a village gets only his own; one without is refused in a village group by the
    router (Scope.VILLAGE) and finds no village elsewhere; an admin's group is of his township."""
    village_id = ctx.member.village_id or (ctx.group.village_id if ctx.group else None)
    if village_id is None:
        raise UserError(NO_VILLAGE)
    return village_id


def _village_name(ctx, village_id: int) -> str:
    return next(v.name for v in OrgRepository(ctx.session).villages(ctx.member.township_id) if v.id == village_id)


@router.command(
    "补卡", roles=LEADERS, places=ANYWHERE, scope=Scope.VILLAGE,
    args=(Name("name", "姓名"), Date("day", "日期", past_days=366, future_days=366), Text("reason", "理由", max_len=200)),
)
def correct_checkin(message, ctx):
    """书记为本村人员补卡（记录补卡人、时间和理由）
    /补卡 姓名 日期 理由
    例：/补卡 王伟 11-23 在镇里开会忘记打卡
    """
    name, day, reason = ctx.params.name, ctx.params.day, ctx.params.reason
    if day > ctx.today():
        raise UserError(FUTURE_DAY.format(day=show_day(day)))
    member = _member_in_village(ctx, name)
    checkins = CheckinRepository(ctx.session)
    checkin = checkins.of_member_on(member.id, day)
    if checkin is not None and not checkin.late:
        raise UserError(ALREADY_FINE.format(name=member.name, day=show_day(day)))
    previous = "late" if checkin is not None else "missing"
    if checkin is None:
        start = datetime.combine(day, ctx.settings.checkin.late_after, tzinfo=TZ)
        checkin = checkins.add(
            Checkin(member_id=member.id, day=day, checked_at=start, late=False, village_id=member.village_id, source="补卡")
        )
    checkin.late = False
    AttendanceRepository(ctx.session).add_correction(
        CheckinCorrection(
            member_id=member.id, day=day, checkin_id=checkin.id, previous=previous, reason=reason,
            corrected_by_id=ctx.member.id, corrected_at=ctx.now(),
        )
    )
    text = CORRECTED.format(
        name=member.name, day=show_day(day), previous=PREVIOUS[previous], reason=reason, by=ctx.member.name
    )
    calendar = calendar_for(ctx.settings, member.township.name)
    if not calendar.is_workday(day):
        text += REST_DAY_NOTE.format(day=show_day(day)) + calendar.mark(day)
    return text


def _member_in_village(ctx, name: str):
    """The named member of the 书记's village (an admin: of the group's village)."""
    village_id = ctx.member.village_id or (ctx.group.village_id if ctx.group else None)
    org = OrgRepository(ctx.session)
    found = org.member_named(name, township_id=ctx.member.township_id, village_id=village_id)
    if village_id is None or not found:
        raise UserError(NO_MEMBER.format(name=name))
    ctx.policy.require_member(found[0])
    return found[0]
