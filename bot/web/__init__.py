"""The bot's web server (aiohttp): platform callbacks register their routes here, and later pages
(a public notice board) can add theirs. Inbound messages are acked at once and dispatched on a
worker thread (`InboundQueue`), because the dispatcher and its database sessions are synchronous."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from aiohttp import web

from bot.messages import InboundMessage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

__all__ = ["InboundQueue", "build_web_app"]


class InboundQueue:
    """Dispatches messages in the background; `submit` never blocks the caller (a callback)."""

    def __init__(self, app: App, workers: int | None = None) -> None:
        # SQLite takes one writer at a time; PostgreSQL can serve a few in parallel.
        workers = workers or (1 if app.engine.dialect.name == "sqlite" else 4)
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dispatch")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, message: InboundMessage) -> None:
        future = self._pool.submit(self._handle, message)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _handle(self, message: InboundMessage) -> None:
        try:
            self._app.dispatcher.handle(message)
        except Exception:
            log.exception("dispatch failed for %s message %s", message.platform, message.message_id)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def join(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is handled (tests, shutdown)."""
        with self._lock:
            pending = set(self._pending)
        done, not_done = wait(pending, timeout=timeout)
        return not not_done

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def build_web_app(app: App, queue: InboundQueue) -> web.Application:
    """The aiohttp application with the callback routes of every configured platform."""
    from bot.adapters import wecom  # adapters own their routes; imported here, not at module load
    from bot.web.routes import register_board_routes

    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_get("/healthz", _health)
    if app.settings.wecom.enabled:
        wecom.register_routes(web_app, app, queue.submit)
    register_board_routes(web_app, app)  # the 公开栏 pages, photos and the admin view
    return web_app


async def _health(request: web.Request) -> web.Response:
    return web.Response(text="ok")
