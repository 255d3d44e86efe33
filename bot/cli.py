"""The `cadrebot` command line: demo, console, roster import and database upgrade.

Feature families add their subcommands through a `register(subparsers)` function in a
`bot/cli_<family>.py` module, listed in `FAMILY_COMMANDS`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable

from sqlalchemy.exc import OperationalError

from bot.cli_app import add_config_option, opened_app, settings_from_args
from bot.cli_calendar import register as register_calendar
from bot.cli_board import register as register_board
from bot.cli_outbox import register as register_outbox
from bot.cli_report import register as register_report
from bot.cli_serve import register as register_serve
from bot.errors import UserError

FAMILY_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [register_serve, register_report]
FAMILY_COMMANDS.append(register_calendar)
FAMILY_COMMANDS.append(register_outbox)
FAMILY_COMMANDS.append(register_board)  # 公开栏 posters


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except UserError as error:  # every command's errors: one Chinese line, non-zero exit
        print(f"❌ {error}", file=sys.stderr)
        return 2
    except OperationalError as error:
        logging.getLogger("cadrebot").debug("database error", exc_info=True)
        print(f"❌ 无法连接或使用数据库：{error.orig or error}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cadrebot", description="村务助手 CadreBot：乡镇村干部群聊机器人")
    parser.add_argument("--config", help="配置文件（TOML），默认读取 CADREBOT_CONFIG 或 ./cadrebot.toml")
    sub = parser.add_subparsers(title="命令", metavar="COMMAND")

    demo = sub.add_parser("demo", help="演示：建一个示例乡镇，回放一个早晨的群聊（无需账号、无需联网）")
    demo.add_argument("--db", default="data/demo.sqlite3", help="演示数据库文件（每次重建）")
    demo.set_defaults(func=_run_demo)

    console = sub.add_parser("console", help="在终端里模拟一个群聊，走同样的命令处理")
    console.add_argument("--group", required=True, help="群所属的村或镇，例如 雅庄村")
    console.add_argument("--as", dest="speaker", help="以谁的身份发言（默认本村第一位成员）")
    add_config_option(console)
    console.set_defaults(func=_run_console)

    roster = sub.add_parser("roster", help="花名册")
    roster_sub = roster.add_subparsers(metavar="ACTION")
    roster_import = roster_sub.add_parser("import", help="从 .xlsx 或 .csv 导入（重复导入会更新，不会重复）")
    roster_import.add_argument("file")
    add_config_option(roster_import)
    roster_import.set_defaults(func=_run_roster_import)
    roster_export = roster_sub.add_parser("export", help="把花名册导出为 .xlsx（与导入的列相同）")
    roster_export.add_argument("file")
    roster_export.add_argument("--township", help="镇名（数据库里只有一个镇时可省略）")
    add_config_option(roster_export)
    roster_export.set_defaults(func=_run_roster_export)

    db = sub.add_parser("db", help="数据库")
    db_sub = db.add_subparsers(metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="升级数据库结构到最新")
    add_config_option(upgrade)
    upgrade.set_defaults(func=_run_db_upgrade)

    for register in FAMILY_COMMANDS:
        register(sub)
    return parser


def _run_demo(args) -> int:
    from bot.demo import run_demo

    run_demo(args.db, out=sys.stdout)
    return 0


def _run_console(args) -> int:
    from bot.adapters.console import ConsoleChat, ConsoleSetupError

    with opened_app(args, reading=True) as app:
        try:
            chat = ConsoleChat(app, args.group, args.speaker)
        except ConsoleSetupError as error:
            print(f"❌ {error}", file=sys.stderr)
            return 1
        if sys.stdin.isatty():
            print(f"进入「{args.group}」群，当前发言人：{chat.speaker}。输入消息回车发送，「姓名> 消息」换人发言，Ctrl-D 退出。")
        chat.run(sys.stdin)
    return 0


def _run_roster_import(args) -> int:
    from bot.cli_progress import RosterProgress
    from handlers.roster import RosterError, import_roster
    from storage.db import refresh_statistics
    from storage.roster_write import ROSTER_TABLES

    try:
        with opened_app(args) as app, app.unit_of_work() as uow:
            with RosterProgress() as progress:
                report = import_roster(uow.session, args.file, progress, today=app.clock.today())
            uow.commit()
            refresh_statistics(app.engine, ROSTER_TABLES)  # tomorrow's burst is planned on today's roster
    except RosterError as error:
        print(f"❌ 花名册有误，未导入任何数据：\n{error}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"❌ 找不到文件 {args.file}", file=sys.stderr)
        return 1
    print(f"✅ 花名册导入完成：{report}")
    return 0


def _run_roster_export(args) -> int:
    from handlers.roster_export import export_roster

    with opened_app(args, reading=True) as app, app.unit_of_work() as uow:
        count = export_roster(uow.session, args.file, township=args.township)
    print(f"✅ 已导出 {count} 人到 {args.file}")
    return 0


def _run_db_upgrade(args) -> int:
    from storage import make_engine, migrate

    settings = settings_from_args(args)
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    print("✅ 数据库已是最新结构")
    return 0


if __name__ == "__main__":
    sys.exit(main())
