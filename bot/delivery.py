"""The outbox worker: sends what the outbox holds through each platform's adapter.

Rules, per chat (platform + chat id):
- **In order.** Only the oldest pending row of a chat may be sent; while it waits for a retry the
  rows behind it wait too.
- **Rate limited.** At most `outbox.rate_per_minute[platform]` rows per chat in any 60 s (robot
  webhooks allow 20/min); counted from `sent_at` in the database, so a restart does not reset it.
- **Sent means accepted.** A sender returns normally only when the platform answered 2xx with
  its documented success body (errcode 0, …); see bot/adapters/http.py and docs/delivery.md.
- **Retried.** A sender raises `RetryLater` when the platform surely did not take the message
  (rate-limit codes, 5xx, connection refused, an HTML error page): the row goes back to pending
  with exponential backoff (or the platform's retry-after). `Undeliverable` marks it failed at
  once. Either way the row keeps the HTTP status and a short excerpt of the answer.
- **At most once.** A row is claimed (`status="sending"`, committed) before the HTTP call. A crash,
  a timeout after the request left (`OutcomeUnknown`) or an unclassified error leaves it
  `uncertain`, never resent automatically: a duplicate 通知 in a township group is worse than one
  that an admin re-sends by hand (`cadrebot outbox retry`), and the platforms give no idempotency
  key to make a retry safe. Pending rows resume after a restart.
- **Many workers.** Several processes may drain one outbox. A claim is one UPDATE that takes the
  chat's head row only if no other worker has it locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL:
  another worker moves on to other chats instead of waiting; SQLite serialises writers anyway),
  no row of the chat is in flight and the chat is within its rate, and marks it `sending`; the
  outcome is one UPDATE too, applied only while the row is still that claim's. (As ORM loads and
  flushes they cost ≈ 8 ms of CPU a send: 124 sends/s for one worker in bench/outbox_drain.py;
  as two statements, 317.) So the
  order and the rate hold across processes, counted in the database. A row stays `sending` while a
  live worker sends it; only a claim older than `CLAIM_LEASE` belongs to a dead worker.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Mapping, NamedTuple, Protocol

from sqlalchemy import Boolean, and_, bindparam, exists, func, or_, select, update

from bot.messages import OutboundMessage
from bot.outbox import to_outbound
from storage.models import OutboxMessage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

LEASE_FACTOR = 3  # a claim older than 3 × the HTTP timeout belongs to a worker that died
_UNLIMITED = 2**31 - 1  # a platform without a per-chat rate
_OUTBOX = OutboxMessage.__table__


def _claim_statement():
    """`pending → sending` for one chat's head, if it may go now (see `OutboxWorker._claim`)."""
    chat_row = _OUTBOX.alias("chat_row")
    same_chat = and_(chat_row.c.platform == _OUTBOX.c.platform, chat_row.c.chat_id == _OUTBOX.c.chat_id)
    in_flight = exists().where(same_chat, chat_row.c.status == "sending")
    sent_lately = (
        select(func.count()).select_from(chat_row).where(same_chat, chat_row.c.sent_at > bindparam("since"))
        .scalar_subquery()
    )
    free_head = (
        select(_OUTBOX.c.id)
        .where(_OUTBOX.c.id == bindparam("row"), _OUTBOX.c.status == "pending")
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id.in_(free_head), _OUTBOX.c.next_attempt_at <= bindparam("now"), ~in_flight,
               sent_lately < bindparam("limit"))
        .values(status="sending", attempts=_OUTBOX.c.attempts + 1, claimed_at=bindparam("now"))
        .returning(*_OUTBOX.c)
    )


def _finish_statement():
    """A send's outcome on its row, if the row is still that claim's (see `OutboxWorker._finish`);
    `learned`: the platform took it, so an `uncertain` row (taken for a dead worker's) is sent."""
    still_ours = and_(_OUTBOX.c.status == "sending", _OUTBOX.c.attempts == bindparam("claim_attempt"),
                      _OUTBOX.c.claimed_at == bindparam("claim_time"))
    learned = and_(bindparam("learned", type_=Boolean), _OUTBOX.c.status == "uncertain")
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id == bindparam("row"), or_(still_ours, learned))
        .values(
            status=bindparam("outcome"), last_error=bindparam("error"), last_status=bindparam("http"),
            next_attempt_at=func.coalesce(bindparam("next_at", type_=_OUTBOX.c.next_attempt_at.type),
                                          _OUTBOX.c.next_attempt_at),
            sent_at=func.coalesce(bindparam("sent_at", type_=_OUTBOX.c.sent_at.type), _OUTBOX.c.sent_at),
        )
    )


_CLAIM = _claim_statement()
_FINISH = _finish_statement()

__all__ = [
    "DeliveryReport", "OutboxWorker", "OutcomeUnknown", "RetryLater", "SendError", "Sender", "Undeliverable",
    "deliver_due",
]


class Sender(Protocol):
    """What an adapter offers the outbox: send one message, or raise RetryLater / Undeliverable."""

    def send(self, message: OutboundMessage) -> None: ...


class SendError(Exception):
    """A send that did not succeed; `status` is the HTTP status when there was an answer."""

    def __init__(self, reason: str, retry_after: float | None = None, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.status = status


class RetryLater(SendError):
    """The platform did not take the message (rate limit, busy, unreachable); try again later."""


class Undeliverable(SendError):
    """The platform refused the message for good (bad key, chat gone): do not retry."""


class OutcomeUnknown(SendError):
    """The request left but no readable answer came (timeout, 504): maybe delivered, maybe not."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    order: list[int] = field(default_factory=list)  # outbox ids in the order they were sent


class Claim(NamedTuple):
    row_id: int
    message: OutboundMessage
    attempts: int
    chat: tuple[str, str]
    claimed_at: datetime  # with `attempts`: which claim of the row this is


class OutboxWorker:
    def __init__(self, app: App, senders: Mapping[str, Sender]) -> None:
        self.app = app
        self.senders = dict(senders)
        self.settings = app.settings.outbox

    # one pass ------------------------------------------------------------------------------
    def run_once(self, platform: str | None = None) -> DeliveryReport:
        """Send every row that may go now (heads of their chats, within rate limits)."""
        report = DeliveryReport()
        blocked: set[tuple[str, str]] = set()
        while True:  # rounds: one head per chat each, so 1,000 chats cost one query a round
            sent_any = False
            for row_id, row_platform, chat_id in self._heads(platform):
                chat = (row_platform, chat_id)
                if chat in blocked or row_platform not in self.senders:
                    continue
                claim = self._claim(row_id, chat, blocked)
                if claim is not None:
                    self._deliver(claim, report, blocked)
                    sent_any = True
            if not sent_any:
                return report

    def recover(self) -> int:
        """Rows claimed by a process that died mid-send become `uncertain`: those claimed longer
        ago than any live send can take (other workers may be sending the recent ones)."""
        lease = timedelta(seconds=LEASE_FACTOR * self.settings.http_timeout_seconds)
        with self.app.unit_of_work() as uow:
            result = uow.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "sending",
                    or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < self.app.clock.now() - lease),
                )
                .values(status="uncertain", last_error="进程在发送中途退出，未确认是否送达")
            )
            uow.commit()
        if result.rowcount:
            log.warning("%d outbox rows were in flight at the last shutdown; marked uncertain", result.rowcount)
        return result.rowcount

    def run_forever(self, stop: threading.Event) -> None:
        # Recovery is a write: once at start, then every third of the lease (a claim younger than
        # the lease is a live worker's), not every poll — on SQLite each write takes the one write
        # lock. A dead worker's group so waits a little over one lease, not up to two.
        every = LEASE_FACTOR * self.settings.http_timeout_seconds / 3
        recovered_at = None
        while not stop.is_set():
            try:
                if recovered_at is None or time.monotonic() - recovered_at >= every:
                    self.recover()  # another worker may have died mid-send
                    recovered_at = time.monotonic()
                self.run_once()
            except Exception:  # a database hiccup must not end delivery for good
                log.exception("outbox pass failed")
            stop.wait(self.settings.poll_seconds)

    # choosing and claiming ------------------------------------------------------------------
    def _heads(self, platform: str | None) -> list[tuple[int, str, str]]:
        """(id, platform, chat id) of the oldest pending row of every chat, oldest first."""
        first = select(func.min(OutboxMessage.id)).where(OutboxMessage.status == "pending")
        if platform is not None:
            first = first.where(OutboxMessage.platform == platform)
        first = first.group_by(OutboxMessage.platform, OutboxMessage.chat_id)
        with self.app.unit_of_work() as uow:
            rows = uow.session.execute(
                select(OutboxMessage.id, OutboxMessage.platform, OutboxMessage.chat_id)
                .where(OutboxMessage.id.in_(first))
                .order_by(OutboxMessage.id)
            )
            return [(row_id, row_platform, chat_id) for row_id, row_platform, chat_id in rows]

    def _claim(self, row_id: int, chat: tuple[str, str], blocked: set[tuple[str, str]]) -> Claim | None:
        """Mark a chat's head `sending` if it may go now: ONE statement and a commit. The row is
        taken only if no other worker has it locked (SKIP LOCKED on PostgreSQL; SQLite's BEGIN
        IMMEDIATE serialises writers anyway), it is due, no row of its chat is in flight, and its
        chat is within its rate, counted in the database. Otherwise its chat waits for the next pass."""
        now = self.app.clock.now()
        limit = self.settings.rate_per_minute.get(chat[0]) or _UNLIMITED
        with self.app.engine.begin() as connection:
            row = connection.execute(
                _CLAIM, {"row": row_id, "now": now, "since": now - timedelta(seconds=60), "limit": limit}
            ).first()
        # committed: the claim is durable before the platform hears anything
        if row is None:
            blocked.add(chat)
            return None
        return Claim(row.id, to_outbound(row), row.attempts, chat, now)

    # sending -------------------------------------------------------------------------------
    def _deliver(self, claim: Claim, report: DeliveryReport, blocked: set[tuple[str, str]]) -> None:
        row_id, message, attempts, chat, _ = claim
        try:
            self.senders[message.platform].send(message)
        except RetryLater as error:
            status, next_at = self._retry(attempts, error)
            self._finish(claim, status, next_at, error=str(error), http=error.status)
            blocked.add(chat)
            report.retried += 1
            log.info("outbox row %s not taken (%s); %s", row_id, error, status)
        except Undeliverable as error:
            self._finish(claim, "failed", error=str(error), http=error.status)
            report.failed += 1
            log.warning("outbox row %s failed: %s", row_id, error)
        except OutcomeUnknown as error:
            self._finish(claim, "uncertain", error=str(error), http=error.status)
            report.uncertain += 1
            log.warning("outbox row %s: send outcome unknown (%s); left uncertain", row_id, error)
        except Exception as error:
            log.exception("outbox row %s: send outcome unknown", row_id)
            self._finish(claim, "uncertain", error=repr(error))
            report.uncertain += 1
        else:
            self._finish(claim, "sent", sent=True)
            report.sent += 1
            report.order.append(row_id)

    def _retry(self, attempts: int, error: RetryLater) -> tuple[str, datetime | None]:
        if attempts >= self.settings.max_attempts:
            return "failed", None
        backoff = min(self.settings.backoff_first_seconds * 2 ** (attempts - 1), self.settings.backoff_max_seconds)
        wait = max(backoff, error.retry_after or 0)
        return "pending", self.app.clock.now() + timedelta(seconds=wait)

    def _finish(
        self, claim: Claim, status: str, next_at: datetime | None = None, *, error: str | None = None, sent=False,
        http: int | None = None,
    ) -> None:
        """Record the outcome of this worker's send, if the row is still this claim's: `sending` with
        the claim's attempt and time — or `uncertain` (another worker took this one for dead, its
        claim having outlived the lease) and the platform has now said it took the message. Any
        other state means the row changed hands meanwhile (an operator queued it again, another
        worker claimed or sent it): what they did stands; writing our outcome over it would mark a
        row sent that another send owns, or send it again."""
        with self.app.engine.begin() as connection:
            recorded = connection.execute(_FINISH, {
                "row": claim.row_id, "claim_attempt": claim.attempts, "claim_time": claim.claimed_at, "learned": sent,
                "outcome": status, "error": error, "http": http, "next_at": next_at,
                "sent_at": self.app.clock.now() if sent else None,
            }).rowcount
        if not recorded:
            log.warning("outbox row %s changed hands while this worker sent it; outcome %r not recorded",
                        claim.row_id, status)


def deliver_due(app: App, senders: Mapping[str, Sender], *, platform: str | None = None) -> int:
    """Send every row that may go now; return how many were sent (the console's entry point)."""
    return OutboxWorker(app, senders).run_once(platform).sent
