"""`cadrebot serve --workers N`: N worker processes on one PostgreSQL database, one port.

Each worker is a whole `Server` (bot/serve.py) listening on the same address with SO_REUSEPORT,
so the kernel spreads callbacks across them; they share nothing but the database. As a single
`serve` does, each worker dispatches in a niced child process of its own
(bot/runtime/dispatch_process.py): its event loop only acks. Leadership
(bot/leader.py) decides which one runs the scheduler and the long platform connections. This
parent process only migrates the database once, starts the workers, starts a worker again if one
dies, and passes SIGTERM / Ctrl-C on. A process manager (systemd, supervisord) can do the same
job instead: see docs/deploy.md.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time

from bot.config import Settings

log = logging.getLogger(__name__)

__all__ = ["run_workers"]

RESTART_PAUSE = 1.0  # seconds before a worker that died is started again


def run_workers(config: str | None, settings: Settings, count: int, host: str | None, port: int | None) -> int:
    """Run `count` workers until SIGTERM / SIGINT; each reads the configuration (`config`, as
    given to the CLI) itself, so secrets travel the same way as for one process."""
    from storage import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)  # once, here, not racing in N workers
    engine.dispose()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no engine or thread inherited
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    workers = [_start(context, config, host, port, n) for n in range(count)]
    while not stopping.wait(0.5):
        for n, worker in enumerate(workers):
            if not worker.is_alive() and not stopping.is_set():
                log.warning("worker %d (pid %s) exited with %s; starting it again", n, worker.pid, worker.exitcode)
                time.sleep(RESTART_PAUSE)
                workers[n] = _start(context, config, host, port, n)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()  # SIGTERM: the worker's Server stops cleanly
    for worker in workers:
        worker.join(30)
        if worker.is_alive():
            worker.kill()
    return 0


def _start(context, config: str | None, host: str | None, port: int | None, n: int):
    worker = context.Process(target=_serve, args=(config, host, port), name=f"cadrebot-worker-{n}", daemon=False)
    worker.start()
    log.info("worker %d started (pid %s)", n, worker.pid)
    return worker


def _serve(config: str | None, host: str | None, port: int | None) -> None:
    from bot.app import build_app
    from bot.config import load_settings
    from bot.serve import Server

    settings = load_settings(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    # like a single `serve`: dispatch in a niced child process, so that handling a burst never
    # holds the worker's event loop (and its callbacks' acks) behind the interpreter lock
    Server(
        build_app(settings, migrate_db=False), host=host, port=port, reuse_port=True, dispatch_process=True
    ).run_forever()
