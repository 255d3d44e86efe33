"""The durable inbox: intake (bot/runtime/intake.py) and the loop that dispatches from it.

Keep, ack, then work: adapters call `inbox.accept_async(message)` and ack when it returns; the
dispatch loop claims pending rows, hands them to the dispatcher through `dispatch(...)` and marks
them handled. A message is handled once: the dispatcher records its id in `processed_messages` in
the same transaction as its effects, so a row handled but not yet marked (a crash in between) is
a DUPLICATE the second time and only gets marked. A restart resumes every pending row.

Claims: rows are taken `pending → dispatching` in a short transaction with
`FOR UPDATE SKIP LOCKED` (PostgreSQL; several dispatchers, in one process or many, never take the
same row); SQLite has one dispatcher. A claim has a lease, renewed while the process holds the row
(bot/runtime/claims.py): rows a live worker is handling are never taken from it, rows of a worker
that died go back to `pending` once their claim is older than the lease. SQLite has one process,
so at its start every `dispatching` row is a dead process's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import namedtuple
from typing import TYPE_CHECKING, Sequence

from sqlalchemy import bindparam, func, literal_column, select, update

from bot.dispatcher import Outcome
from bot.messages import Attachment, InboundMessage, Tap
from bot.runtime.claims import InboxClaims
from bot.runtime.gate import OPEN_GATE, WriteGate
from bot.runtime.intake import Intake, IntakeFailed
from bot.runtime.media_lane import MediaLane
from storage.driver import DriverStatement
from storage.inserts import core_connection
from storage.models import InboxMessage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

__all__ = ["Inbox", "IntakeFailed", "dispatch", "from_payload"]

MAX_ATTEMPTS = 3
_PAYLOAD_COLUMNS = (
    InboxMessage.id, InboxMessage.platform, InboxMessage.message_id, InboxMessage.payload, InboxMessage.received_at,
)
_PayloadRow = namedtuple("_PayloadRow", [column.key for column in _PAYLOAD_COLUMNS])


def _claim_statement(batch: int) -> DriverStatement:
    """`pending → dispatching` for the oldest `batch` pending rows nobody else has locked, returning
    what dispatch needs. The status and the limit are literals, so PostgreSQL plans it the same way
    every time, through the partial index of unfinished rows (storage/models/inbox.py)."""
    oldest_pending = (
        select(InboxMessage.id)
        .where(InboxMessage.in_state("pending"))
        .order_by(InboxMessage.id)
        .limit(literal_column(str(int(batch))))
        .with_for_update(skip_locked=True)
    )
    return DriverStatement(
        update(InboxMessage.__table__)
        .where(InboxMessage.id.in_(oldest_pending.scalar_subquery()))
        .values(status="dispatching", attempts=InboxMessage.attempts + 1, claimed_at=bindparam("now"))
        .returning(*_PAYLOAD_COLUMNS)
    )


class ToldToResend(Exception):
    """The pipeline failed and the sender got "系统繁忙，请稍后再发一次" (bot/dispatcher.py): the row
    is kept as failed, not dispatched again, or the sender's resend would be handled twice."""


def dispatch(app: App, messages: Sequence[InboundMessage], gate=OPEN_GATE) -> list[Exception | None]:
    """Hand claimed messages to the dispatcher; one result per message (None: done).

    The one seam between the inbox and the dispatcher. The messages claimed together are handled
    together (`Dispatcher.handle_batch`): one transaction and one commit for the burst; a raising
    handler makes the batch run again with a savepoint per handler, and a batch that fails outside
    a handler is handled again message by message, so one message's failure never affects another's."""
    if not messages:
        return []
    try:
        with gate.normal():
            outcomes = app.dispatcher.handle_batch(list(messages))
    except Exception as error:  # handle_batch reports failures as results; this is a broken gate or bug
        log.exception("dispatch failed for a batch of %d messages", len(messages))
        return [error] * len(messages)
    return [ToldToResend("pipeline failed; the sender was told to resend") if outcome.outcome is Outcome.FAILED
            else None for outcome in outcomes]


def from_payload(row) -> InboundMessage:
    """The message of an inbox row (an `InboxMessage`, or a result row with its payload columns)."""
    p = row.payload
    return InboundMessage(
        platform=row.platform,
        chat_id=p["chat_id"],
        sender_id=p["sender_id"],
        sender_name=p["sender_name"],
        text=p["text"],
        message_id=row.message_id,
        received_at=row.received_at,
        attachments=tuple(Attachment(kind, ref, name) for kind, ref, name in p.get("attachments", [])),
        is_group=p.get("is_group", True),
        from_bot=p.get("from_bot", False),
        reply_ref=p.get("reply_ref"),
        tap=Tap(p["tap"]) if p.get("tap") is not None else None,
        raw=p.get("raw") or {},
    )


class Inbox:
    def __init__(
        self, app: App, *, workers: int | None = None, batch: int | None = None, poll: float = 0.5, gate=None,
        wake=None,
    ) -> None:
        """`gate` / `wake`: shared with a dispatch process (bot/runtime/dispatch_process.py)."""
        self._app = app
        sqlite = app.engine.dialect.name == "sqlite"
        self._only_process = sqlite  # `serve --workers N` needs PostgreSQL
        self.gate = gate or (WriteGate() if sqlite else OPEN_GATE)
        self.intake = Intake(app, gate=self.gate, wake=wake)
        # one dispatching thread per process unless configured (bot/config.py InboxSettings)
        configured = app.settings.inbox
        self._workers = workers or configured.dispatch_threads or 1
        self._batch = batch or configured.batch
        self._poll = poll
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._lock = threading.Lock()
        self._media: MediaLane | None = None
        self.claims = InboxClaims(app, self.gate)
        self._claim_statement = _claim_statement(self._batch)

    # the door (see bot/runtime/intake.py) ----------------------------------------------------
    def accept(self, message: InboundMessage) -> None:
        self.intake.accept(message)

    async def accept_async(self, message: InboundMessage) -> None:
        await self.intake.accept_async(message)

    async def reject_async(self, platform: str, message_id: str, raw: str, reason: str) -> None:
        await self.intake.reject_async(platform, message_id, raw, reason)

    # lifecycle -------------------------------------------------------------------------------
    def start(self, *, dispatchers: bool = True) -> None:
        """Recover, open the door, and (unless a dispatch process does it) start dispatching."""
        self.recover()
        self.intake.start()
        if dispatchers:
            self.start_dispatchers()

    def start_dispatchers(self) -> None:
        self._media = MediaLane(self._app.media_fetchers, self._handle)
        self.claims.start()  # renews this process's claims, takes back those of dead processes
        self._stop.clear()
        for n in range(self._workers):
            thread = threading.Thread(target=self._run, name=f"inbox-dispatch-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.intake.stored.set()  # resume what a previous run acked and did not handle

    def stop(self) -> None:
        self.intake.stop()
        self._stop.set()
        self.intake.stored.set()
        for thread in self._threads:
            thread.join(10)
        self._threads.clear()
        if self._media is not None:
            self._media.close()
        self.claims.stop()

    def recover(self) -> int:
        """Rows a dead process had claimed go back to pending (handling them again is a no-op);
        a live worker's rows are left alone (their claims are younger than the lease)."""
        return self.claims.recover(everything=self._only_process)

    # the loop --------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.run_once():
                    continue
            except Exception:  # a database hiccup must not end dispatch for good
                log.exception("inbox dispatch pass failed")
                self._stop.wait(1)
            self.intake.stored.wait(self._poll)
            self.intake.stored.clear()

    def run_once(self) -> int:
        """Claim up to `batch` pending rows, dispatch them, record the outcome; return how many."""
        with self._lock:
            self._busy += 1
        try:
            claimed = self._claim()
            inline = self._media.take(claimed) if self._media is not None else claimed
            if inline:
                self._handle(inline)
            return len(claimed)
        finally:
            with self._lock:
                self._busy -= 1

    def _handle(self, jobs: list[tuple[int, InboundMessage]]) -> None:
        ids = [row_id for row_id, _ in jobs]
        try:
            self._finish(ids, dispatch(self._app, [message for _, message in jobs], self.gate))
        finally:  # a row left `dispatching` by a failed _finish ages out and is handled again
            self.claims.release(ids)

    def _claim(self) -> list[tuple[int, InboundMessage]]:
        """Take up to `batch` pending rows, oldest first, in ONE statement: an UPDATE of the rows a
        locking sub-select picks (SKIP LOCKED on PostgreSQL) that returns what dispatch needs."""
        with self.gate.normal(), self._app.engine.begin() as connection:
            rows = self._claim_statement.all(connection, {"now": self._app.clock.now()})
        claimed = [(row[0], from_payload(_PayloadRow(*row))) for row in sorted(rows)]  # RETURNING has no order
        self.claims.hold(row_id for row_id, _ in claimed)
        return claimed

    def _finish(self, ids: list[int], results: list[Exception | None]) -> None:
        now = self._app.clock.now()
        handled = [row_id for row_id, error in zip(ids, results) if error is None]
        with self.gate.normal(), self._app.unit_of_work() as uow:
            if handled:  # the usual case: one Core statement for the whole batch
                core_connection(uow.session).execute(
                    update(InboxMessage.__table__).where(InboxMessage.id.in_(handled))
                    .values(status="handled", handled_at=now, error=None)
                )
            for row_id, error in zip(ids, results):
                if error is not None:
                    row = uow.session.get(InboxMessage, row_id)
                    final = row.attempts >= MAX_ATTEMPTS or isinstance(error, ToldToResend)
                    row.status = "failed" if final else "pending"
                    row.error = repr(error)[:500]
            uow.commit()

    # waiting (tests, benchmarks, shutdown) ---------------------------------------------------
    def join(self, timeout: float = 10.0) -> bool:
        """Wait until nothing accepted so far is left to dispatch."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                busy = self._busy or (self._media is not None and self._media.busy())
            if not busy and self.unfinished() == 0:
                return True
            time.sleep(0.01)
        return False

    def unfinished(self) -> int:
        with self._app.unit_of_work() as uow:
            return uow.session.scalar(
                select(func.count(InboxMessage.id)).where(InboxMessage.in_state("pending", "dispatching"))
            )
