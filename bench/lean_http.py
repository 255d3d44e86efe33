"""A lean HTTP/1.1 client for the intake benchmark's load generator: keep-alive connections,
requests serialised to bytes before the burst, responses read as status line + Content-Length.

The load generator shares the 2-core machine with the server it measures (in production the
callbacks come from WeCom's servers). aiohttp's client spent ≈ 0.5 ms of CPU a request here —
an eighth of the whole budget at 500/s, taken from the server under test. This client does only
what the benchmark needs: POST prepared bytes, read the status, keep the connection.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from urllib.parse import urlencode, urlsplit

__all__ = ["LeanClient", "prepare_post"]


def prepare_post(url: str, query: dict[str, str], body: bytes) -> bytes:
    """The whole request, as bytes, for `LeanClient.send`."""
    parts = urlsplit(url)
    head = (
        f"POST {parts.path}?{urlencode(query)} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future | None = None
        self._buffer = b""
        self.open = True

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.open = False
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(0)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0 or self.answer is None:
            return
        head = self._buffer[:end].decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in head[1:] if line.lower().startswith("content-length:")), None)
        if length is None:  # not what the bot's server sends; give up on this connection
            self.transport.close()
            return
        if len(self._buffer) < end + 4 + length:
            return
        self._buffer = self._buffer[end + 4 + length:]
        answer, self.answer = self.answer, None
        answer.set_result(int(head[0].split(" ", 2)[1]))


class LeanClient:
    """`await client.send(request_bytes)` → (status or 0 for a broken connection, seconds)."""

    def __init__(self, host: str, port: int, limit: int = 200) -> None:
        self._host, self._port, self._limit = host, port, limit
        self._idle: list[_Connection] = []
        self._opened = 0
        self._waiting: deque[asyncio.Future] = deque()  # senders waiting for a free connection

    async def send(self, request: bytes) -> tuple[int, float]:
        started = time.perf_counter()
        try:
            connection = await self._take()
        except OSError:
            return 0, time.perf_counter() - started
        connection.answer = asyncio.get_running_loop().create_future()
        connection.transport.write(request)
        status = await connection.answer
        self._give_back(connection)
        return status, time.perf_counter() - started

    async def _take(self) -> _Connection:
        loop = asyncio.get_running_loop()
        while True:
            while self._idle:
                connection = self._idle.pop()
                if connection.open:
                    return connection
                self._opened -= 1
            if self._opened < self._limit:
                self._opened += 1
                try:
                    _, connection = await loop.create_connection(_Connection, self._host, self._port)
                except OSError:
                    self._opened -= 1
                    raise
                return connection
            freed = loop.create_future()
            self._waiting.append(freed)
            await freed

    def _give_back(self, connection: _Connection) -> None:
        if connection.open:
            self._idle.append(connection)
        else:
            self._opened -= 1
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break

    def close(self) -> None:
        for connection in self._idle:
            connection.transport.close()
        self._idle.clear()
