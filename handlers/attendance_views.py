"""How a month's attendance reads in chat: one member's summary, and a table per village.
All Chinese texts of the reports are here, for review; the xlsx export uses the same labels."""

from __future__ import annotations

from handlers.attendance_report import GREEN, RED, YELLOW, MemberMonth, MonthReport
from handlers.dates import show_day
from handlers.names import display_names

__all__ = ["COLUMNS", "NOT_STARTED", "status_label", "member_summary", "village_table", "township_tables",
           "display_names"]

STATUS = {GREEN: "🟢 正常", YELLOW: "🟡 黄色预警", RED: "🔴 红色预警"}
FLAGGED = "⛔ 视为自动离职"
NOT_STARTED = "—"  # the member's counting had not started: nothing required, nothing missed
COLUMNS = ("姓名", "职务", "应出勤", "打卡", "迟到", "请假", "缺勤", "休息日打卡", "状态")

MONTH = "{year}年{month}月"
NOT_BEGUN = "{month}还没有开始。"
MEMBER_NOT_STARTED = "📅 {name} {month}考勤：—（您的考勤从{start}起计算）"
SUMMARY = (
    "📅 {name} {month}考勤（截至{upto}）\n"
    "应出勤 {required} 天：已打卡 {checked} 天（迟到 {late} 次），请假 {leave} 天，缺勤 {missed} 天\n"
    "状态：{status}"
)
REST_DAYS = "休息日打卡 {n} 天（不计入应出勤）"
PENDING = "今天还未打卡，请发送 /打卡"
TABLE_HEAD = "📊 {place} {month}考勤（截至{upto}，应出勤 {required} 天）"
TABLE_COLUMNS = "姓名｜打卡｜迟到｜请假｜缺勤｜休息日打卡｜状态"
TABLE_ROW = "{name}｜{checked}｜{late}｜{leave}｜{missed}｜{rest_day_checkins}｜{status}"
NOBODY = "（没有需要考勤的人员）"


def status_label(row: MemberMonth) -> str:
    if not row.started:
        return NOT_STARTED
    return FLAGGED if row.flagged else STATUS[row.colour]


def month_label(report: MonthReport) -> str:
    return MONTH.format(year=report.year, month=report.month)


def member_summary(report: MonthReport, row: MemberMonth) -> str:
    if report.upto is None:
        return NOT_BEGUN.format(month=month_label(report)) + report.mark
    if not row.started:
        return MEMBER_NOT_STARTED.format(name=row.name, month=month_label(report), start=show_day(row.start)) + report.mark
    lines = [
        SUMMARY.format(
            name=row.name,
            month=month_label(report),
            upto=show_day(report.upto),
            required=row.required,
            checked=row.checked,
            late=row.late,
            leave=row.leave,
            missed=row.missed,
            status=status_label(row),
        )
    ]
    if row.rest_day_checkins:
        lines.append(REST_DAYS.format(n=row.rest_day_checkins))
    if row.pending_today:
        lines.append(PENDING)
    return "\n".join(lines) + report.mark


def village_table(report: MonthReport, place: str, rows: list[MemberMonth]) -> str:
    if report.upto is None:
        return NOT_BEGUN.format(month=month_label(report)) + report.mark
    head = TABLE_HEAD.format(place=place, month=month_label(report), upto=show_day(report.upto), required=report.required)
    names = display_names(report.members)
    body = [_table_row(row, names[row.member_id]) for row in rows] or [NOBODY]
    return "\n".join([head + report.mark, TABLE_COLUMNS, *body])


def _table_row(row: MemberMonth, name: str) -> str:
    if not row.started:
        return "｜".join([name, *[NOT_STARTED] * 6])
    return TABLE_ROW.format(**{**row.__dict__, "name": name}, status=status_label(row))


def township_tables(report: MonthReport) -> str:
    villages = report.by_village()
    if not villages:
        return village_table(report, report.township_name, [])
    return "\n\n".join(village_table(report, name, rows) for name, rows in villages.items())


def xlsx_row(row: MemberMonth, name: str | None = None) -> list:
    """One member's cells, in COLUMNS order ("—" for every count before the member's start)."""
    if not row.started:
        return [name or row.name, row.role, *[NOT_STARTED] * 7]
    return [name or row.name, row.role, row.required, row.checked, row.late, row.leave, row.missed,
            row.rest_day_checkins, status_label(row)]
