"""The one clock of the bot. Every time comes from here, in Asia/Shanghai, so tests can move it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

__all__ = ["TZ", "Clock", "SystemClock", "ManualClock", "local"]


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """Wall-clock time in Asia/Shanghai."""

    def now(self) -> datetime:
        return datetime.now(TZ)

    def today(self) -> date:
        return self.now().date()


class ManualClock:
    """A clock that only moves when told to; for tests, the demo and benchmarks."""

    def __init__(self, start: datetime) -> None:
        self._now = local(start)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, moment: datetime) -> None:
        self._now = local(moment)

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self._now


def local(moment: datetime) -> datetime:
    """Read a naive datetime as Shanghai time; convert an aware one to Shanghai."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)
