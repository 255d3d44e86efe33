"""`cadrebot calendar import FILE` and `cadrebot calendar show 2027`: the national yearly schedule
the operator supplies when the State Council publishes it (before any package release does).

Import checks the file, keeps it as `data_dir/calendar/<year>.json` (where the running bot reads
it), and re-evaluates that year's attendance colours in the database so warnings sent from
provisional counts are corrected in the village groups.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli_app import CliError, add_config_option, app_from_args, settings_from_args
from handlers.dates import show_day
from handlers.national_calendar import FILE, PACKAGE, NationalCalendar, YearSchedule, parse_schedule, save_schedule

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["register", "run_import", "run_show"]

IMPORTED = "✅ 已导入 {year} 年放假安排：放假 {off} 天，调休上班 {on} 天（保存在 {path}）"
REEVALUATED = "已按新安排重新计算 {year} 年考勤，发出 {n} 条预警或更正。"
NO_DATABASE_YET = "（数据库里还没有镇，导入花名册后自动按新安排计算）"
SOURCES = {FILE: "运营方导入的放假安排", PACKAGE: "chinese-calendar 软件包"}
PROVISIONAL_SOURCE = "暂定：{year} 年放假安排未发布，按周末和法定节假日（holidays 软件包的规则）计算，没有调休上班日"
SHOW_HEAD = "📅 {year} 年放假安排 — 来源：{source}"
OFF = "放假：{days}"
ON = "调休上班：{days}"
NONE = "无"


def register(subparsers) -> None:
    calendar = subparsers.add_parser("calendar", help="国家放假安排（每年一份）")
    actions = calendar.add_subparsers(dest="calendar_action", required=True, metavar="ACTION")
    importing = actions.add_parser("import", help="导入一年的放假安排（holiday-cn 的 .json 或 .toml）")
    importing.add_argument("file")
    add_config_option(importing)
    importing.set_defaults(func=run_import)
    show = actions.add_parser("show", help="显示某年的放假安排和来源")
    show.add_argument("year", type=int)
    add_config_option(show)
    show.set_defaults(func=run_show)


def run_import(args: argparse.Namespace, app: App | None = None) -> int:
    """Check and keep the file, then re-evaluate the year in the database (if there is one)."""
    from scheduler.attendance_jobs import reevaluate_year

    settings = app.settings if app is not None else settings_from_args(args)
    schedule = parse_schedule(args.file)
    path = save_schedule(schedule, settings.data_dir)
    print(IMPORTED.format(year=schedule.year, off=len(schedule.days_off), on=len(schedule.workdays), path=path))
    owned = app is None
    if owned:
        try:
            app = app_from_args(args, reading=True)
        except CliError:
            print(NO_DATABASE_YET)
            return 0
    try:
        print(REEVALUATED.format(year=schedule.year, n=reevaluate_year(schedule.year, app)))
    finally:
        if owned:
            app.close()
    return 0


def run_show(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    print(describe(NationalCalendar(settings.data_dir).year(args.year)))
    return 0


def describe(schedule: YearSchedule) -> str:
    source = SOURCES.get(schedule.source) or PROVISIONAL_SOURCE.format(year=schedule.year)
    lines = [SHOW_HEAD.format(year=schedule.year, source=source)]
    lines.append(OFF.format(days=_days(schedule, schedule.days_off)))
    lines.append(ON.format(days=_days(schedule, schedule.workdays)))
    return "\n".join(lines)


def _days(schedule: YearSchedule, days) -> str:
    shown = [f"{show_day(day)}{'（' + schedule.names[day] + '）' if schedule.names.get(day) else ''}"
             for day in sorted(days)]
    return "、".join(shown) or NONE
