"""A real `cadrebot serve` in a subprocess on 127.0.0.1, for the fault tests and bench/intake.py:
its config file, the AI-bot secrets in its environment, start / wait ready / kill -9 / stop, its
worker processes (`--workers N`) and which of them holds a given connection, and a burst of
encrypted callbacks that records which ones were acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.wecom_client import AES_KEY, TOKEN, WeComServer, text_message

SENDERS = ("zhangjg", "lixy", "wangw", "chenj")
INBOX_LEASE = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    def __init__(
        self, workdir: Path, database_url: str, api_base: str, extra_args: tuple[str, ...] = (), *,
        webhook_keys: dict[str, str] | None = None, extra_toml: str = "",
    ) -> None:
        self.extra_args = extra_args  # e.g. ("--workers", "2")
        self.port = free_port()
        self.config = workdir / "cadrebot.toml"
        self.log = workdir / "serve.log"
        keys = ", ".join(f'"{chat}" = "{key}"' for chat, key in (webhook_keys or {"wx-yazhuang": "key-yazhuang"}).items())
        self.config.write_text(
            f'database_url = "{database_url}"\ndata_dir = "{workdir / "data"}"\n'
            f'[web]\nhost = "127.0.0.1"\nport = {self.port}\n'
            f'[wecom]\nenabled = true\napi_base = "{api_base}"\nwebhook_keys = {{ {keys} }}\n'
            # a killed process's inbox claims come back after 3 s, not 30: the fault tests stay short
            f'[inbox]\nclaim_lease_seconds = {INBOX_LEASE}\n{extra_toml}'
        )
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/wecom/aibot"

    def start(self, timeout: float = 30.0) -> None:
        env = os.environ | {"CADREBOT_WECOM__AIBOT_TOKEN": TOKEN, "CADREBOT_WECOM__AIBOT_AES_KEY": AES_KEY}
        cli = Path(sys.executable).with_name("cadrebot")
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [str(cli), "serve", "--config", str(self.config), *self.extra_args], env=env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,  # its own process group: kill -9 reaches every worker
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("serve did not start listening in time")

    def kill(self) -> None:
        """kill -9 of the whole process group (serve, its workers, its dispatch process): no shutdown code runs."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def workers(self) -> list[int]:
        """Pids of the worker processes `serve --workers N` spawned (not multiprocessing's helpers)."""
        pid = self.proc.pid
        kids = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return [kid for kid in kids if _is_spawned_worker(kid)]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def _is_spawned_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # ended meanwhile
        return False


def owner_of(address: tuple[str, int], pids: list[int]) -> int | None:
    """Which of `pids` holds the loopback TCP socket whose local end is `address` (as a server saw
    its peer): the socket's inode from /proc/net/tcp, then the process with that inode open."""
    host, port = address
    local = f"{socket.inet_aton(host)[::-1].hex().upper()}:{port:04X}"  # /proc/net/tcp: little-endian IPv4
    inode = next(
        (line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:] if line.split()[1] == local),
        None,
    )
    if inode is None:
        return None
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except FileNotFoundError:
                continue
    return None


def callbacks(count: int, prefix: str, senders: list[tuple[str, str]] | None = None) -> list[tuple[str, dict, bytes]]:
    """Pre-encrypted `/打卡` callbacks: (msgid, query, body). By default from the 雅庄村 cadres in
    turn; `senders` gives (user id, group chat id) pairs to take in turn instead."""
    wecom = WeComServer()
    senders = senders or [(user, "wx-yazhuang") for user in SENDERS]
    out = []
    for n in range(count):
        msgid = f"{prefix}-{n}"
        user, chat = senders[n % len(senders)]
        query, body = wecom.sign(text_message(msgid, "/打卡", user=user, chat=chat))
        out.append((msgid, query, body))
    return out


async def post_one(http: aiohttp.ClientSession, url: str, query: dict, body: bytes) -> tuple[int, float]:
    """(status or 0 for a broken connection, seconds until the answer)."""
    started = time.perf_counter()
    try:
        async with http.post(url, params=query, data=body) as response:
            await response.read()
            return response.status, time.perf_counter() - started
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return 0, time.perf_counter() - started


async def paced(items, rate: float, send):
    """Start `send(item)` for each item at `rate` per second (open loop); gather the results."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for n, item in enumerate(items):
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(send(item)))
    return await asyncio.gather(*tasks)
