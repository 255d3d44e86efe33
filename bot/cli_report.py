"""`cadrebot report attendance --month 2026-11 [--village 莲湖村] [--township 芝英镇] [--xlsx out.xlsx]`:
the month's attendance printed as tables and, with --xlsx, written as an Excel workbook.

`register(subparsers)` adds the `report` command to the main CLI's argparse subparsers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING


from bot.cli_app import add_config_option, opened_app
from bot.errors import UserError
from handlers.attendance_export import write_workbook
from handlers.choosing import township_named
from handlers.attendance_report import month_report
from handlers.attendance_views import township_tables
from storage.models import Township
from storage.repositories import OrgRepository

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["register", "run_attendance_report"]

BAD_MONTH = "--month 要写成 2026-11 这样：{text}"
NO_VILLAGE = "{township}没有「{name}」。"
WROTE = "已写入 {path}"


def register(subparsers) -> None:
    report = subparsers.add_parser("report", help="导出报表 / reports")
    kinds = report.add_subparsers(dest="report", required=True)
    attendance = kinds.add_parser("attendance", help="月度考勤 / monthly attendance")
    attendance.add_argument("--month", required=True, help="月份，如 2026-11")
    attendance.add_argument("--village", help="只看一个村，如 莲湖村")
    attendance.add_argument("--township", help="镇名（数据库里只有一个镇时可省略）")
    attendance.add_argument("--xlsx", help="写出 Excel 文件的路径")
    add_config_option(attendance)
    attendance.set_defaults(func=run_attendance_report)


def run_attendance_report(args: argparse.Namespace, app: App | None = None) -> int:
    """Print the month's tables and write the workbook; returns the exit code."""
    try:
        year, month = _month(args.month)
        with opened_app(args, reading=True, app=app) as app, app.unit_of_work() as uow:
            township = township_named(uow.session, args.township)
            village_id = _village_id(uow.session, township, args.village)
            report = month_report(uow.session, app.settings, township, year, month, app.clock.today(),
                                  village_id=village_id)
        print(township_tables(report))
        if args.xlsx:
            print(WROTE.format(path=write_workbook(report, args.xlsx)))
        return 0
    except UserError as error:  # the same "❌ …" line as every other verb
        print(f"❌ {error}", file=sys.stderr)
        return 2


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        if 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    raise UserError(BAD_MONTH.format(text=text))



def _village_id(session, township: Township, name: str | None) -> int | None:
    if name is None:
        return None
    village = OrgRepository(session).village_named(name, township.id)
    if village is None:
        raise UserError(NO_VILLAGE.format(township=township.name, name=name))
    return village.id
