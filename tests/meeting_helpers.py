"""Helpers for the meeting tests: run the sweep job as APScheduler would, read a chat's new texts."""

from __future__ import annotations

from datetime import datetime

from bot.clock import TZ
from scheduler import meeting_jobs, runtime


def sweep(app) -> int:
    """Run the meetings sweep job against `app`, as the scheduler would."""
    runtime.bind(app)
    try:
        return meeting_jobs.sweep()
    finally:
        runtime.bind(None)


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
