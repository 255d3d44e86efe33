"""Intake: the one door every inbound message goes through before a platform gets its ack.

    await inbox.accept_async(message)   # from a coroutine (aiohttp callback, DingTalk stream)
    inbox.accept(message)               # from a thread

Both return once the message is COMMITTED to the `inbox` table (or was there already: a platform
retry), and raise `IntakeFailed` when it could not be stored — then the adapter must not ack
(answer 503 / a non-OK ack), so the platform sends it again. Any new transport (e.g. the WeCom
long connection) calls the same function; `reject(...)` keeps an unreadable frame as `rejected`.

Group commit: one writer thread takes whatever callbacks are waiting (plus up to `window` seconds
more for a first lonely one), inserts them in one statement with ON CONFLICT DO NOTHING on
(platform, message_id) (storage/inserts.py: on PostgreSQL the same statement text for any batch
size, so it is parsed and planned once), commits once, then releases every waiting callback. Under load a batch
forms while the previous commit runs, so durability costs about one commit per batch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.messages import InboundMessage
from bot.runtime.gate import OPEN_GATE
from storage.inserts import insert_many_if_new
from storage.models import InboxMessage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

__all__ = ["Intake", "IntakeFailed", "storable", "to_payload"]

_STOP = object()
_INBOX_TABLE = InboxMessage.__table__
_INBOX_KEY = ("platform", "message_id")  # a platform's retry is stored once


class IntakeFailed(Exception):
    """The message could not be stored; do not ack it."""


@dataclass
class _Entry:
    """A row to store and who waits for it: a thread (`done`) or a coroutine (`waiter`, an asyncio
    future of its event loop; the writer wakes each loop once per commit, not once per message)."""

    row: dict[str, Any]
    done: Future | None = None
    waiter: asyncio.Future | None = None


def to_payload(message: InboundMessage) -> dict[str, Any]:
    """The neutral message as JSON, enough to build it again (`bot.runtime.inbox.from_payload`)."""
    return {
        "chat_id": message.chat_id,
        "sender_id": message.sender_id,
        "sender_name": message.sender_name,
        "text": message.text,
        "attachments": [[a.kind, a.ref, a.name] for a in message.attachments],
        "is_group": message.is_group,
        "from_bot": message.from_bot,
        "reply_ref": message.reply_ref,
        "tap": message.tap.card_key if message.tap is not None else None,  # a tap survives a restart too
        "raw": json.loads(json.dumps(dict(message.raw), ensure_ascii=False, default=str)),
    }


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """`value` (a string, or JSON-like lists and dicts of them) as both databases can keep it: NUL
    and lone UTF-16 surrogates become U+FFFD. A platform's JSON may carry either ("\\u0000",
    "\\ud800"); PostgreSQL's text refuses NUL, UTF-8 cannot encode a lone surrogate, and one such
    message failed its whole group-commit batch — every callback in it answered 503, again and
    again as the platform retried. The dispatcher's hygiene (bot/contract/hygiene.py) cleans the
    text further; this keeps what is stored faithful apart from the two unstorable characters."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value) if _UNSTORABLE.search(value) else value
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def _pending_row(message: InboundMessage) -> dict[str, Any]:
    return _inbox_row(message.platform, message.message_id, "pending", to_payload(message), message.received_at)


def _inbox_row(platform: str, message_id: str, status: str, payload: dict, received_at, *, error: str | None = None):
    """An inbox row as both databases can store it, whatever the platform sent (`storable`)."""
    return dict(platform=platform, message_id=storable(message_id), status=status, payload=storable(payload),
                received_at=received_at, attempts=0, error=storable(error))


class Intake:
    def __init__(self, app: App, *, window: float = 0.002, max_batch: int = 500, gate=OPEN_GATE, wake=None) -> None:
        self._app = app
        self._gate = gate
        self._window = window
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.stored = wake or threading.Event()  # set after each commit: wakes the dispatch loop
        self.commits = 0

    # the door ------------------------------------------------------------------------------
    def accept(self, message: InboundMessage, timeout: float = 10.0) -> None:
        entry = _Entry(_pending_row(message), done=Future())
        self._submit(entry)
        entry.done.result(timeout)

    async def accept_async(self, message: InboundMessage) -> None:
        await self._stored(_pending_row(message))

    async def reject_async(self, platform: str, message_id: str, raw: str, reason: str) -> None:
        """Keep an unreadable frame as `rejected` (acked, never handled, visible in `cadrebot inbox`)."""
        row = _inbox_row(platform, message_id[:128], "rejected", {"raw": raw[:2000]}, self._app.clock.now(),
                         error=reason[:500])
        await self._stored(row)

    def _stored(self, row: dict[str, Any]) -> asyncio.Future:
        entry = _Entry(row, waiter=asyncio.get_running_loop().create_future())
        self._submit(entry)
        return entry.waiter

    def _submit(self, entry: _Entry) -> None:
        if self._thread is None:
            _settle([entry], "intake is not running")
        else:
            self._queue.put(entry)

    # the writer ----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="inbox-intake", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        while True:
            batch, stopping = self._gather()
            if batch:
                self._commit(batch)
            if stopping:
                return

    def _gather(self) -> tuple[list[_Entry], bool]:
        first = self._queue.get()
        if first is _STOP:
            return [], True
        batch, deadline = [first], time.monotonic() + self._window
        while len(batch) < self._max_batch:
            try:
                wait = deadline - time.monotonic()
                item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
        return batch, False

    def _commit(self, batch: list[_Entry]) -> None:
        try:
            with self._gate.urgent(), self._app.engine.begin() as connection:
                insert_many_if_new(connection, _INBOX_TABLE, [entry.row for entry in batch], _INBOX_KEY)
        except Exception as error:  # the database is away: nobody is acked, the platforms retry
            log.exception("inbox commit of %d messages failed", len(batch))
            _settle(batch, str(error))
            return
        self.commits += 1
        _settle(batch, None)
        self.stored.set()


def _settle(batch: list[_Entry], failure: str | None) -> None:
    """Tell everyone waiting for the batch: stored (failure None), or IntakeFailed(failure)."""
    waiters: dict[asyncio.AbstractEventLoop, list[asyncio.Future]] = {}
    for entry in batch:
        if entry.waiter is not None:
            waiters.setdefault(entry.waiter.get_loop(), []).append(entry.waiter)
        elif failure is None:
            entry.done.set_result(None)
        else:
            entry.done.set_exception(IntakeFailed(failure))
    for loop, futures in waiters.items():
        try:
            loop.call_soon_threadsafe(_resolve, futures, failure)
        except RuntimeError:  # that loop has closed: nobody is left to answer
            log.warning("an event loop closed while %d callbacks waited for the inbox", len(futures))


def _resolve(futures: list[asyncio.Future], failure: str | None) -> None:
    """On the waiters' own event loop."""
    for future in futures:
        if future.done():  # cancelled: the platform hung up before its answer
            continue
        if failure is None:
            future.set_result(None)
        else:
            future.set_exception(IntakeFailed(failure))
