"""Inbox claims and their lease: which `dispatching` rows belong to a live process.

A dispatcher takes rows `pending → dispatching` and stamps `claimed_at`. While it holds them, a
keeper thread stamps them again every third of the lease, so the rows of a live process — a photo
waiting minutes in the media lane included — never look abandoned to another worker. A claim
older than the lease (`inbox.claim_lease_seconds`) belongs to a process that died (kill -9, power
cut): any live process puts it back to `pending`, and it is handled once, because the dispatcher's
processed-id mark makes a second handling a no-op. The workers' clocks must agree to well within
the lease (NTP), as for the outbox's claims.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import and_, or_, select, update

from storage.models import InboxMessage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

__all__ = ["InboxClaims"]


class InboxClaims:
    def __init__(self, app: App, gate) -> None:
        self._app = app
        self._gate = gate
        self.lease = timedelta(seconds=app.settings.inbox.claim_lease_seconds)
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # what this process holds -------------------------------------------------------------------
    def hold(self, ids: Iterable[int]) -> None:
        with self._lock:
            self._held.update(ids)

    def release(self, ids: Iterable[int]) -> None:
        with self._lock:
            self._held.difference_update(ids)

    def renew(self) -> int:
        """Stamp the rows this process still holds, so no other process takes them for a dead one's."""
        with self._lock:
            held = list(self._held)
        if not held:
            return 0
        with self._gate.normal(), self._app.engine.begin() as connection:
            return connection.execute(
                update(InboxMessage)
                .where(InboxMessage.id.in_(_unlocked(InboxMessage.id.in_(held), InboxMessage.in_state("dispatching"))))
                .values(claimed_at=self._app.clock.now())
            ).rowcount

    # what dead processes left ------------------------------------------------------------------
    def recover(self, *, everything: bool = False) -> int:
        """Put rows claimed by a process that died back to pending: claims older than the lease, or
        every claim (`everything`) where this is the only process of its database (SQLite)."""
        stale = InboxMessage.in_state("dispatching")
        if not everything:
            cutoff = self._app.clock.now() - self.lease
            stale = and_(stale, or_(InboxMessage.claimed_at.is_(None), InboxMessage.claimed_at < cutoff))
        with self._gate.normal(), self._app.engine.begin() as connection:
            recovered = connection.execute(
                update(InboxMessage).where(InboxMessage.id.in_(_unlocked(stale))).values(status="pending")
            ).rowcount
        if recovered:
            log.info("inbox: %d messages claimed by a process that died go back to pending", recovered)
        return recovered

    # the keeper thread -------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._keep, name="inbox-claims", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _keep(self) -> None:
        period = self.lease.total_seconds() / 3
        while not self._stop.wait(period):
            try:
                self.renew()
                self.recover()
            except Exception:  # a database hiccup: try again next period
                log.exception("inbox claim lease pass failed")


def _unlocked(*conditions):
    """The ids of matching rows no transaction holds (PostgreSQL: SKIP LOCKED). A row locked by its
    dispatcher's finishing update is being finished: renewing or recovering it would only wait for
    that transaction, and two multi-row UPDATEs that lock the same rows in different orders
    deadlock (seen under a 500/s burst: the lease keeper's renewal against the batch's finish)."""
    return select(InboxMessage.id).where(*conditions).with_for_update(skip_locked=True).scalar_subquery()
