"""Helpers for the points tests: run the points job as APScheduler would, read the ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.clock import TZ
from scheduler import points_jobs, runtime
from storage.models import PointsEntry


def award(app) -> int:
    """Run the points job against `app`, as the scheduler would; returns the entries it added."""
    runtime.bind(app)
    try:
        return points_jobs.award_points()
    finally:
        runtime.bind(None)


def ledger(app) -> list[tuple[str, str, int]]:
    """(member name, source, points) of every entry, in order."""
    with app.unit_of_work() as uow:
        entries = uow.session.scalars(select(PointsEntry).order_by(PointsEntry.id))
        return [(e.member.name, e.source, e.points) for e in entries]


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
