"""The bot's web server (aiohttp): platform callbacks register their routes here, and later pages
(a public notice board) can add theirs. Callbacks ack once the message is committed to the durable
inbox (bot/runtime/inbox.py), which dispatches it on its own threads."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import App
    from bot.runtime import Inbox

log = logging.getLogger(__name__)

__all__ = ["build_web_app"]


def build_web_app(app: App, inbox: Inbox) -> web.Application:
    """The aiohttp application with the callback routes of every configured platform."""
    from bot.adapters import wecom  # adapters own their routes; imported here, not at module load
    from bot.web.routes import register_board_routes

    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_get("/healthz", _health)
    if app.settings.wecom.enabled:
        wecom.register_routes(web_app, app, inbox.accept_async, inbox.reject_async)
    register_board_routes(web_app, app)  # the 公开栏 pages, photos and the admin view
    return web_app


async def _health(request: web.Request) -> web.Response:
    return web.Response(text="ok")
