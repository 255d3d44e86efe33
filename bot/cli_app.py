"""The one place a CLI command turns its parsed options into settings and an app.

Every verb calls `settings_from_args(args)` or `app_from_args(args, reading=...)`: `--config`
(given before or after the verb) decides the configuration, hence the database. A command that
only reads (`reading=True`) never creates a database: a missing SQLite file, or a database without
a township, is refused with one Chinese line. `CliError` is printed by `bot.cli.main` as "❌ …"
with a non-zero exit, never as a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from bot.config import Settings, load_settings
from bot.errors import UserError

if TYPE_CHECKING:
    from bot.app import App
    from bot.clock import Clock

__all__ = ["CliError", "NO_TOWNSHIP_YET", "add_config_option", "app_from_args", "opened_app", "settings_from_args"]

NO_TOWNSHIP_YET = "数据库里还没有镇，请先导入花名册（cadrebot roster import 花名册.xlsx）。数据库：{where}"
NO_CONFIG = "找不到配置文件 {path}"
BAD_CONFIG = "配置文件 {path} 有误：{problem}"
CONFIG_HELP = "配置文件（TOML），默认读取 CADREBOT_CONFIG 或 ./cadrebot.toml"


class CliError(UserError):
    """A command cannot run; the message says why, in Chinese."""


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """`--config` on a subcommand too; it does not hide one given before the verb."""
    parser.add_argument("--config", default=argparse.SUPPRESS, help=CONFIG_HELP)


def settings_from_args(args: argparse.Namespace, **overrides) -> Settings:
    path = getattr(args, "config", None)
    if path is not None and not Path(path).is_file():
        raise CliError(NO_CONFIG.format(path=path))
    try:
        return load_settings(path, **overrides)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CliError(BAD_CONFIG.format(path=path or "cadrebot.toml", problem=f"{where}：{first['msg']}")) from None


def app_from_args(args: argparse.Namespace, *, reading: bool = False, clock: Clock | None = None) -> App:
    """Build the app the options name. `reading`: refuse instead of creating an empty database."""
    from bot.app import build_app

    settings = settings_from_args(args)
    if reading:
        _refuse_missing_sqlite_file(settings)
    app = build_app(settings, clock=clock, migrate_db=not reading)
    if reading:
        try:
            _require_a_township(app)
        except CliError:
            app.close()
            raise
    return app


@contextmanager
def opened_app(args: argparse.Namespace, *, reading: bool = False, app: App | None = None) -> Iterator[App]:
    """`app_from_args`, closed when the block ends. An app the caller already has (a test's) is
    used as it is and left open."""
    if app is not None:
        yield app
        return
    app = app_from_args(args, reading=reading)
    try:
        yield app
    finally:
        app.close()


def _refuse_missing_sqlite_file(settings: Settings) -> None:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).exists():
            raise CliError(NO_TOWNSHIP_YET.format(where=_where(settings)))


def _require_a_township(app: App) -> None:
    from storage import migrate
    from storage.models import Township

    if not inspect(app.engine).has_table(Township.__tablename__):
        raise CliError(NO_TOWNSHIP_YET.format(where=_where(app.settings)))
    migrate(app.engine)  # an existing database from an older release is brought up to date
    with app.unit_of_work() as uow:
        if not uow.session.scalar(select(func.count()).select_from(Township)):
            raise CliError(NO_TOWNSHIP_YET.format(where=_where(app.settings)))


def _where(settings: Settings) -> str:
    """The database URL without a password, for the error line."""
    return make_url(settings.database_url).render_as_string(hide_password=True)
