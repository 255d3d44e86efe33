"""`cadrebot serve` in one process: the web server (WeCom callbacks), the DingTalk stream client,
the outbox worker and the scheduler. Tests start the same `Server` on 127.0.0.1 and an ephemeral
port.

With several workers on one PostgreSQL database (`cadrebot serve --workers N`), every worker
serves callbacks and drains the outbox; only the elected leader (bot/leader.py) runs the scheduler
and the long platform connections, and another worker takes them over when it dies."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from typing import TYPE_CHECKING

from aiohttp import web

from bot.delivery import OutboxWorker
from bot.leader import LeaderElection, leadership_for
from bot.platforms import build_senders, build_wecom_link, sync_group_bindings
from bot.runtime import Inbox
from bot.runtime.dispatch_process import DispatchProcess
from bot.web import build_web_app

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

__all__ = ["Server"]


class Server:
    def __init__(
        self, app: App, *, host: str | None = None, port: int | None = None, scheduler: bool = True,
        outbox_worker: bool = True, reuse_port: bool = False, dispatch_process: bool = False,
    ) -> None:
        self.app = app
        self.host = host or app.settings.web.host
        self.port = app.settings.web.port if port is None else port
        # `cadrebot serve` dispatches in a child process; tests (a ManualClock) on threads.
        self._dispatch_process = (
            DispatchProcess(app.settings, sqlite=app.engine.dialect.name == "sqlite") if dispatch_process else None
        )
        process = self._dispatch_process
        self.inbox = Inbox(app, gate=process and process.gate, wake=process and process.wake)
        # None unless wecom.mode = long_connection; its messages and taps go through the inbox too
        self.wecom_link = build_wecom_link(app, self.inbox.accept_async, self.inbox.reject_async)
        self.worker = OutboxWorker(app, build_senders(app, wecom_link=self.wecom_link))
        self._use_scheduler = scheduler
        self._use_worker = outbox_worker  # tests drive `worker.run_once` themselves
        self._reuse_port = reuse_port  # several worker processes on one port (bot/workers.py)
        self._scheduler = None
        self._stream = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._stop = threading.Event()
        self._worker_thread: threading.Thread | None = None
        takeover = app.settings.leader.takeover_seconds
        self.leader = LeaderElection(
            leadership_for(app.settings.database_url, takeover), takeover, self._lead, self._follow
        )

    async def start(self) -> int:
        """Start everything; return the port the web server listens on."""
        for problem in sync_group_bindings(self.app):
            log.warning("%s", problem)
        # before the routes: a callback is acked only once its message is stored
        self.inbox.start(dispatchers=self._dispatch_process is None)
        if self._dispatch_process is not None:
            self._dispatch_process.start()
        self._runner = web.AppRunner(build_web_app(self.app, self.inbox), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_port=self._reuse_port or None)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self._loop = asyncio.get_running_loop()  # the leader thread starts the long connection on it
        if self._use_worker:
            self._worker_thread = threading.Thread(
                target=self.worker.run_forever, args=(self._stop,), name="outbox", daemon=True
            )
            self._worker_thread.start()
        await asyncio.to_thread(self.leader.start)  # the leader starts the stream and the scheduler
        log.info("serving on %s:%s", self.host, self.port)
        return self.port

    def _lead(self) -> None:
        """Elected: start what only one worker may run (one live WeCom long connection per bot:
        a second one would kick the first)."""
        if self.wecom_link is not None:
            self._loop.call_soon_threadsafe(self.wecom_link.start)
        if self.app.settings.dingtalk.enabled:
            from bot.adapters.dingtalk import DingTalkStream

            self._stream = DingTalkStream(self.app.settings.dingtalk, self.inbox, self.app.clock.now)
            self._stream.start()
        if self._use_scheduler:
            self._start_scheduler()

    def _follow(self) -> None:
        """No longer the leader (lost the lock, or stopping): stop the leader-only parts."""
        if self.wecom_link is not None and self._loop is not None and self._loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self.wecom_link.stop(), self._loop).result(timeout=10)
            except Exception:  # a link that never started, or a loop already closing
                log.warning("the WeCom long connection did not stop cleanly", exc_info=True)
        if self._stream is not None:
            self._stream.stop()
            self._stream = None
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    def _start_scheduler(self) -> None:
        from scheduler import runtime
        from scheduler.wiring import build_scheduler

        runtime.bind(self.app)
        self._scheduler = build_scheduler(self.app)
        self._scheduler.start()

    async def stop(self) -> None:
        await asyncio.to_thread(self.leader.stop)  # stops the stream, the long connection and the scheduler if leading
        if self._runner is not None:
            await self._runner.cleanup()
        await asyncio.to_thread(self.inbox.stop)
        if self._dispatch_process is not None:
            await asyncio.to_thread(self._dispatch_process.stop)
        self._stop.set()
        if self._worker_thread is not None:
            await asyncio.to_thread(self._worker_thread.join, 10)

    def run_forever(self) -> None:
        from bot.runtime.heap import freeze_startup_objects
        from handlers.segmenter import warm_up

        warm_up()  # jieba's dictionary takes ~0.6 s: load it before the first minutes text arrives
        freeze_startup_objects()  # bot/runtime/heap.py: no 100-ms full collections under a burst

        async def main() -> None:
            stopping = asyncio.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):  # systemd / docker stop: finish cleanly
                asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
            await self.start()
            try:
                await stopping.wait()
            finally:
                await self.stop()

        try:
            asyncio.run(main())
        except KeyboardInterrupt:
            log.info("stopped")
