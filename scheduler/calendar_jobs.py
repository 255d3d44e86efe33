"""The national calendar's weekly notice: from 1 December, while next year's schedule is unknown
(or while the current year's still is), the township admins are told once a week in the township
group how to supply it. Counting goes on provisionally meanwhile (`handlers.national_calendar`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.messages import Reply
from handlers.workdays import calendar_for
from scheduler.job_failures import tell_admins_on_failure
from scheduler.runtime import job_context
from storage.models import Township
from storage.repositories import OrgRepository

__all__ = ["NOTICE", "missing_year", "remind_missing_schedule"]

NOTICE = (
    "📅 {year} 年的放假安排还没有导入，考勤暂按周末和法定节假日计算（标有「暂定」），调休上班日不会计入。\n"
    "国务院办公厅公布后，请 {admins} 把放假安排存成文件（holiday-cn 的 JSON 或 TOML 格式），"
    "在服务器上运行：cadrebot calendar import {year}.json，然后用 cadrebot calendar show {year} 核对。"
    "导入后考勤会按正式安排重新计算。"
)
FROM_MONTH = 12  # the State Council usually publishes next year's schedule in November


@tell_admins_on_failure("放假安排提醒")
def remind_missing_schedule() -> None:
    """Once a week per township (outbox key per ISO week): which year to supply, and how."""
    with job_context() as ctx:
        today = ctx.today()
        org = OrgRepository(ctx.session)
        week = "{}-W{:02d}".format(*today.isocalendar()[:2])
        for township in ctx.session.scalars(select(Township).order_by(Township.id)):
            year = missing_year(calendar_for(ctx.settings, township.name), today)
            if year is None:
                continue
            admins = org.admins(township.id)
            text = NOTICE.format(year=year, admins="、".join(f"@{m.name}" for m in admins) or "管理员")
            ctx.outbox.to_groups(org.township_groups(township.id), Reply(text, mentions=tuple(m.id for m in admins)),
                                 dedupe_key=f"calendar-missing:{township.id}:{year}:{week}")


def missing_year(calendar, today: date) -> int | None:
    """This year if it is only provisional; else next year from 1 December if it is; else None."""
    if calendar.national.year(today.year).provisional:
        return today.year
    if today.month >= FROM_MONTH and calendar.national.year(today.year + 1).provisional:
        return today.year + 1
    return None
