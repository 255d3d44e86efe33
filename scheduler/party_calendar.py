"""The party calendar: recurring events from config (monthly on a day or an Nth weekday,
quarterly, half-yearly, weekly) turned into dates, and into meetings a few days ahead so that
they get their reminders like any other meeting."""

from __future__ import annotations

import calendar
import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.clock import TZ
from bot.errors import UserError
from bot.config import RecurringEvent
from storage.models import Township
from storage.repositories import MeetingRepository

log = logging.getLogger(__name__)

__all__ = ["occurrences", "upcoming", "create_calendar_meetings"]

_PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6}


def occurrences(event: RecurringEvent, first: date, last: date) -> list[date]:
    """Days in [first, last] on which the event falls."""
    if event.rule == "weekly":
        day = first + timedelta(days=(event.weekday - 1 - first.weekday()) % 7)
        days = []
        while day <= last:
            days.append(day)
            day += timedelta(days=7)
        return days
    days = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        day = _day_in_month(event, year, month)
        if day is not None and first <= day <= last:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def _day_in_month(event: RecurringEvent, year: int, month: int) -> date | None:
    if event.rule == "monthly_weekday":
        return _nth_weekday(year, month, event.weekday, event.nth)
    period = _PERIOD_MONTHS.get(event.rule)
    if period is None:
        raise ValueError(f"unknown calendar rule {event.rule!r}")
    if (month - 1) % period:
        return None  # quarterly / half-yearly events fall in the period's first month
    return date(year, month, min(event.day, calendar.monthrange(year, month)[1]))


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.isoweekday() == weekday]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if 1 <= nth <= len(days) else None


def upcoming(events: list[RecurringEvent], now: datetime, days: int) -> list[tuple[datetime, RecurringEvent]]:
    """(start, event) of every calendar event from now to `days` ahead, in time order."""
    found = []
    for event in events:
        for day in occurrences(event, now.date(), now.date() + timedelta(days=days)):
            start = datetime.combine(day, event.at, tzinfo=TZ)
            if start >= now:
                found.append((start, event))
    return sorted(found, key=lambda pair: pair[0])


def create_calendar_meetings(ctx) -> int:
    """Create the township meetings of calendar events within the horizon (once each: unique source)."""
    from handlers.meetings import create_meeting

    settings = ctx.settings.meetings
    if not settings.calendar:
        return 0
    repo = MeetingRepository(ctx.session)
    created = 0
    townships = list(ctx.session.scalars(select(Township).order_by(Township.id)))
    for start, event in upcoming(settings.calendar, ctx.now(), settings.calendar_horizon_days):
        for township in townships:
            source = f"calendar:{township.id}:{event.title}:{start:%Y-%m-%d}"
            if repo.by_source(source) is not None:
                continue
            try:
                with ctx.session.begin_nested():
                    create_meeting(
                        ctx, township_id=township.id, village_id=None, title=event.title, theme=event.theme,
                        place=event.place, starts_at=start, audience=event.audience, source=source,
                    )
                created += 1
            except UserError as error:  # e.g. nobody matches the audience: skip, never block the sweep
                log.warning("calendar event %s in township %s not created: %s", event.title, township.id, error)
    return created
