"""The 公开栏 routes on the bot's own aiohttp app: a township page, a village page, a published
resolution, photos by content hash (no listing), and the admin view behind a per-township secret.

Pages are built from the database on a worker thread (the sessions are synchronous) with the same
typed Context jobs get, and rendered with Jinja2 (autoescaped). The admin token travels in the
path; the server keeps no access log, and the admin page sends `Referrer-Policy: no-referrer` so
the token does not leak through links either.
"""

from __future__ import annotations

import asyncio
import hmac
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from aiohttp import web
from sqlalchemy import select
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.context import Context
from bot.web import board_data
from bot.web.chart import attendance_svg
from storage.models import MediaFile
from storage.repositories import OrgRepository

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["Board", "register_board_routes"]

HERE = Path(__file__).parent
MEDIA_NAME = r"{name:[0-9a-f]{64}\.(jpg|png|gif|webp|bmp)}"
NOT_FOUND = "页面不存在，或还没有公开。"
PUBLIC_CACHE = "public, max-age=60"


def register_board_routes(web_app: web.Application, app: App) -> None:
    board = Board(app)
    add = web_app.router.add_get
    add(r"/board/t/{township_id:\d+}", board.township)
    add(r"/board/v/{village_id:\d+}", board.village)
    add(r"/board/admin/{token}", board.admin)
    add(r"/resolutions/{resolution_id:\d+}", board.resolution)
    add(r"/media/{prefix:[0-9a-f]{2}}/" + MEDIA_NAME, board.media)
    add(r"/media/thumbs/{prefix:[0-9a-f]{2}}/{name:[0-9a-f]{64}\.jpg}", board.media)
    add("/static/board.css", board.stylesheet)


class Board:
    def __init__(self, app: App) -> None:
        self.app = app
        self.templates = Environment(loader=FileSystemLoader([HERE / "templates", HERE / "static"]),
                                     autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        self.templates.globals["attendance_svg"] = attendance_svg

    async def township(self, request: web.Request) -> web.Response:
        township_id = int(request.match_info["township_id"])
        return await self._page(lambda ctx: self._township(ctx, township_id))

    async def village(self, request: web.Request) -> web.Response:
        village_id = int(request.match_info["village_id"])
        return await self._page(lambda ctx: self._village(ctx, village_id))

    async def resolution(self, request: web.Request) -> web.Response:
        resolution_id = int(request.match_info["resolution_id"])
        return await self._page(lambda ctx: self._resolution(ctx, resolution_id))

    async def admin(self, request: web.Request) -> web.Response:
        township_name = self._township_of_token(request.match_info["token"])
        if township_name is None:
            raise web.HTTPNotFound(text=NOT_FOUND)
        response = await self._page(lambda ctx: self._admin(ctx, township_name))
        response.headers.update({"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                                 "X-Robots-Tag": "noindex"})
        return response

    async def media(self, request: web.Request) -> web.FileResponse:
        """A stored photo or thumbnail, named by its sha256; nothing else under the media folder."""
        name = request.match_info["name"]
        relative = request.path.removeprefix("/media/")
        known = await asyncio.to_thread(self._media_known, name[:64])
        path = self.app.settings.data_dir / "media" / relative
        if not known or not path.is_file():
            raise web.HTTPNotFound(text=NOT_FOUND)
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable"})

    async def stylesheet(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(HERE / "static" / "board.css", headers={"Cache-Control": "public, max-age=86400"})

    # --- built on a worker thread ------------------------------------------------------------
    async def _page(self, build: Callable[[Context], tuple[str, dict] | None]) -> web.Response:
        html = await asyncio.to_thread(self.render, build)
        if html is None:
            raise web.HTTPNotFound(text=NOT_FOUND)
        response = web.Response(text=html, content_type="text/html", charset="utf-8",
                                headers={"Cache-Control": PUBLIC_CACHE})
        response.enable_compression()  # gzip when the phone accepts it: a page is a few KB on a weak link
        return response

    def render(self, build: Callable[[Context], tuple[str, dict] | None]) -> str | None:
        """The page's HTML (None: no such page). Synchronous: the server calls it on a thread."""
        with self.app.unit_of_work() as uow:
            found = build(Context.for_job(self.app, uow.session))
            if found is None:
                return None
            template, data = found
            return self.templates.get_template(template).render(**data)

    def village_html(self, village_id: int) -> str | None:
        return self.render(lambda ctx: self._village(ctx, village_id))

    def township_html(self, township_id: int) -> str | None:
        return self.render(lambda ctx: self._township(ctx, township_id))

    def admin_html(self, township_name: str) -> str | None:
        """The admin view of a township (the route checks the token before it asks for this)."""
        return self.render(lambda ctx: self._admin(ctx, township_name))

    def _township(self, ctx: Context, township_id: int):
        township = board_data.township_of(ctx, township_id)
        return None if township is None else ("township.html", {"page": board_data.township_page(ctx, township)})

    def _village(self, ctx: Context, village_id: int):
        village = board_data.village_of(ctx, village_id)
        if village is None:
            return None
        page = board_data.village_page(ctx, village, self.app.settings.board.months_in_chart)
        return "village.html", {"page": page}

    def _resolution(self, ctx: Context, resolution_id: int):
        resolution = board_data.published_resolution(ctx, resolution_id)
        return None if resolution is None else ("resolution.html", {"r": board_data.resolution_view(ctx, resolution),
                                                                    "updated": f"{ctx.now():%Y-%m-%d %H:%M}"})

    def _admin(self, ctx: Context, township_name: str):
        township = OrgRepository(ctx.session).township_named(township_name)
        if township is None:
            return None
        page = board_data.township_page(ctx, township)
        return "admin.html", {"page": page, "ledgers": board_data.ledgers_of_township(ctx, township)}

    def _media_known(self, sha256: str) -> bool:
        with self.app.unit_of_work() as uow:
            return uow.session.scalar(select(MediaFile.id).where(MediaFile.sha256 == sha256)) is not None

    def _township_of_token(self, token: str) -> str | None:
        for township, secret in self.app.settings.board.admin_tokens.items():
            expected = secret.get_secret_value()
            if expected and hmac.compare_digest(token.encode(), expected.encode()):
                return township
        return None
