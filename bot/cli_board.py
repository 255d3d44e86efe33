"""`cadrebot board poster --village 雅庄村 [--township 芝英镇] --out 雅庄村.png|.pdf`: a printable
poster with the village's name and a QR code of its 公开栏 page (`[board] public_url`).

`register(subparsers)` adds the `board` command to the main CLI's argparse subparsers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.cli_app import add_config_option, opened_app
from bot.errors import UserError
from bot.web.poster import NoChineseFont, find_font, render_poster, save_poster
from handlers.board_links import village_url
from storage.models import Village

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["register", "run_poster"]

NO_URL = "请先在配置里设置公开栏地址：[board] public_url = \"https://…\"（或环境变量 CADREBOT_BOARD__PUBLIC_URL）。"
NO_VILLAGE = "数据库里没有「{name}」。"
TWO_VILLAGES = "有 {n} 个「{name}」，请用 --township 指定镇。"
WROTE = "✅ 已生成海报 {path}（二维码：{url}）"


def register(subparsers) -> None:
    board = subparsers.add_parser("board", help="公开栏 / the public notice board")
    actions = board.add_subparsers(dest="board", required=True)
    poster = actions.add_parser("poster", help="生成带二维码的公开栏海报（PNG 或 PDF）")
    poster.add_argument("--village", required=True, help="村名，如 雅庄村")
    poster.add_argument("--township", help="镇名（村名重复时用）")
    poster.add_argument("--out", required=True, help="输出文件：.png 或 .pdf")
    add_config_option(poster)
    poster.set_defaults(func=run_poster)


def run_poster(args: argparse.Namespace, app: App | None = None) -> int:
    try:
        with opened_app(args, reading=True, app=app) as app:  # a poster never creates a database
            if not app.settings.public_url:
                raise UserError(NO_URL)
            with app.unit_of_work() as uow:
                village, township = _village(uow.session, args.village, args.township)
            url = village_url(app.settings, village.id)
            image = render_poster(village.name, township, url, find_font(app.settings.board.font))
        print(WROTE.format(path=save_poster(image, args.out), url=url))
        return 0
    except (UserError, NoChineseFont) as error:
        print(f"❌ {error}", file=sys.stderr)
        return 2


def _village(session, name: str, township: str | None):
    villages = session.scalars(select(Village).where(Village.name == name).order_by(Village.id))
    found = [v for v in villages if township is None or v.township.name == township]
    if not found:
        raise UserError(NO_VILLAGE.format(name=name))
    if len(found) > 1:
        raise UserError(TWO_VILLAGES.format(n=len(found), name=name))
    return found[0], found[0].township.name
