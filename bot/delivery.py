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
- **Many workers.** Several processes may drain one outbox. A claim happens in one transaction
  that locks the chat's head row (`FOR UPDATE SKIP LOCKED` on PostgreSQL: another worker moves on
  to other chats instead of waiting; SQLite serialises writers anyway), checks that no row of the
  chat is in flight and that the chat is within its rate, and marks the row `sending`. So the
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

from sqlalchemy import func, or_, select, update

from bot.messages import OutboundMessage
from bot.outbox import to_outbound
from storage.models import OutboxMessage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

LEASE_FACTOR = 3  # a claim older than 3 × the HTTP timeout belongs to a worker that died

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
        """Mark a chat's head `sending` if it may go now, in one short transaction."""
        now = self.app.clock.now()
        with self.app.unit_of_work() as uow:
            session = uow.session
            row = self._lock_if_pending(session, row_id)
            if row is None:  # another worker holds it or took it meanwhile
                return None
            if row.next_attempt_at > now or self._in_flight(session, row) or not self._within_rate(session, row, now):
                blocked.add(chat)
                return None
            row.status, row.attempts, row.claimed_at = "sending", row.attempts + 1, now
            claim = Claim(row.id, to_outbound(row), row.attempts, chat, now)
            uow.commit()  # the claim is durable before the platform hears anything
            return claim

    @staticmethod
    def _lock_if_pending(session, row_id: int) -> OutboxMessage | None:
        """Lock the row for this transaction unless another worker has it (PostgreSQL: SKIP
        LOCKED; SQLite ignores FOR UPDATE, its BEGIN IMMEDIATE already serialises writers)."""
        return session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
            .with_for_update(skip_locked=True)
        )

    @staticmethod
    def _in_flight(session, row: OutboxMessage) -> bool:
        """A row of the same chat is being sent (by any worker): keep the order, wait."""
        return session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.platform == row.platform,
                OutboxMessage.chat_id == row.chat_id,
                OutboxMessage.status == "sending",
            )
            .limit(1)
        ) is not None

    def _within_rate(self, session, row: OutboxMessage, now: datetime) -> bool:
        limit = self.settings.rate_per_minute.get(row.platform)
        if not limit:
            return True
        recent = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.platform == row.platform,
                OutboxMessage.chat_id == row.chat_id,
                OutboxMessage.sent_at > now - timedelta(seconds=60),
            )
        )
        return recent < limit

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
        with self.app.unit_of_work() as uow:
            row = uow.session.get(OutboxMessage, claim.row_id, with_for_update=True)
            ours = row.status == "sending" and (row.attempts, row.claimed_at) == (claim.attempts, claim.claimed_at)
            if not ours and not (sent and row.status == "uncertain"):
                log.warning("outbox row %s changed hands while this worker sent it (now %s); outcome %r not recorded",
                            claim.row_id, row.status, status)
                return
            row.status, row.last_error, row.last_status = status, error, http
            if next_at is not None:
                row.next_attempt_at = next_at
            if sent:
                row.sent_at = self.app.clock.now()
            uow.commit()


def deliver_due(app: App, senders: Mapping[str, Sender], *, platform: str | None = None) -> int:
    """Send every row that may go now; return how many were sent (the console's entry point)."""
    return OutboxWorker(app, senders).run_once(platform).sent
