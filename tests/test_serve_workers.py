"""`cadrebot serve --workers 2` on PostgreSQL, as an operator starts it: two worker processes
answer signed WeCom callbacks on one port, exactly one of them holds the scheduler lock, a retried
callback is still handled once across the two, and SIGTERM stops everything."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import func, select, text

from bot.app import build_app
from bot.clock import TZ, ManualClock
from bot.config import Settings
from bot.leader import SCHEDULER_LOCK
from storage.models import Checkin, ProcessedMessage
from tests.conftest import _truncate_all
from tests.factories import build_world
from tests.wecom_client import AES_KEY, TOKEN, WeComServer, text_message

ROOT = Path(__file__).resolve().parent.parent
CADRES = ("zhangjg", "lixy", "wangw", "chenj")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    return False


def workers_of(pid: int) -> list[int]:
    """Worker processes the parent spawned (not multiprocessing's resource tracker)."""
    kids = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [kid for kid in kids if b"spawn_main" in Path(f"/proc/{kid}/cmdline").read_bytes()]


def test_two_workers_on_postgresql_share_the_port_one_leads_and_sigterm_stops_them(postgres_url, tmp_path):
    _truncate_all(postgres_url)
    app = build_app(Settings(database_url=postgres_url), clock=ManualClock(time_now()), migrate_db=False)
    build_world(app)
    port = free_port()
    config = tmp_path / "cadrebot.toml"
    config.write_text(
        f'database_url = "{postgres_url}"\n[wecom]\nenabled = true\naibot_token = "{TOKEN}"\n'
        f'aibot_aes_key = "{AES_KEY}"\n[leader]\ntakeover_seconds = 3\n'
    )
    log = open(tmp_path / "serve.log", "w")
    parent = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--config", str(config), "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: requests.get(f"{base}/healthz", timeout=2).ok and len(workers_of(parent.pid)) == 2, 60)
        assert wait_for(lambda: leaders(app) == 1, 30), (tmp_path / "serve.log").read_text()

        wecom = WeComServer()
        for n, cadre in enumerate(CADRES):
            query, body = wecom.sign(text_message(f"w-{n}", "@村务助手\u2005/打卡", user=cadre))
            for _retry in range(3):  # the platform retries: whichever worker gets it, once only
                assert requests.post(f"{base}/wecom/aibot", params=query, data=body, timeout=5).status_code == 200
        assert wait_for(lambda: count(app, Checkin.id) == 4, 30)
        assert count(app, ProcessedMessage.id) == 4
        assert leaders(app) == 1
    finally:
        parent.send_signal(signal.SIGTERM)
        try:
            assert parent.wait(40) == 0
        finally:
            if parent.poll() is None:
                parent.kill()
            app.close()
    assert leaders_left(postgres_url) == 0


def time_now():
    from datetime import datetime

    return datetime.now(TZ)


def count(app, column) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(column)))


def leaders(app) -> int:
    with app.engine.connect() as connection:
        return connection.scalar(_LEADERS, {"key": SCHEDULER_LOCK})


def leaders_left(url: str) -> int:
    app = build_app(Settings(database_url=url), migrate_db=False)
    try:
        return leaders(app)
    finally:
        app.close()


_LEADERS = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND ((classid::bigint << 32) | objid::bigint) = :key AND database = (SELECT oid FROM pg_database"
    " WHERE datname = current_database())"
)


def test_several_workers_on_sqlite_are_refused_with_the_reason(tmp_path, capsys):
    from bot.cli import main as cli

    config = tmp_path / "cadrebot.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "bot.sqlite3"}"\n[wecom]\nenabled = true\n'
        f'aibot_token = "{TOKEN}"\naibot_aes_key = "{AES_KEY}"\n'
    )
    assert cli(["serve", "--config", str(config), "--workers", "2"]) == 2
    assert "多个工作进程（--workers 2）需要 PostgreSQL 数据库" in capsys.readouterr().out
