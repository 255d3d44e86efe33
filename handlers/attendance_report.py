"""The month's attendance of a township or one village: per member the days required, checked in,
late, on leave and missed, and the warning colour. Built from a few aggregate queries, so a whole
township costs the same handful of queries as one village.

Days counted run from the 1st to the end of the month, or to `today` in the current month. Today
is not over yet: without a check-in or leave it is `pending`, not missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.config import Settings
from handlers.workdays import calendar_for, month_days
from storage.models import Township
from storage.repositories import AttendanceRepository
from storage.repositories.attendance import CheckinCounts, LeaveCounts

__all__ = ["GREEN", "YELLOW", "RED", "MemberMonth", "MonthReport", "colour_of", "month_report"]

GREEN, YELLOW, RED = "green", "yellow", "red"


@dataclass(frozen=True)
class MemberMonth:
    member_id: int
    name: str
    role: str
    village_id: int
    village_name: str
    required: int
    checked: int
    late: int
    leave: int
    missed: int
    rest_day_checkins: int
    pending_today: bool
    colour: str
    flagged: bool


@dataclass(frozen=True)
class MonthReport:
    township_name: str
    year: int
    month: int
    upto: date | None  # last day counted; None when the month has not begun
    required: int
    members: list[MemberMonth]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def by_village(self) -> dict[str, list[MemberMonth]]:
        villages: dict[str, list[MemberMonth]] = {}
        for row in self.members:
            villages.setdefault(row.village_name, []).append(row)
        return villages

    def of_member(self, member_id: int) -> MemberMonth | None:
        return next((row for row in self.members if row.member_id == member_id), None)


def month_report(
    session: Session,
    settings: Settings,
    township: Township,
    year: int,
    month: int,
    today: date,
    *,
    village_id: int | None = None,
) -> MonthReport:
    first, last = month_days(year, month)
    upto = min(last, today)
    if upto < first:
        return MonthReport(township.name, year, month, None, 0, [])
    workdays = calendar_for(settings, township.name).workdays(first, upto)
    repo = AttendanceRepository(session)
    roster = repo.roster(township.id, village_id, settings.attendance.roles)
    checkins = repo.checkin_counts(township.id, village_id, first, upto, workdays, today)
    leave = repo.leave_counts(township.id, village_id, workdays, today)
    today_counts = today in workdays
    rows = [
        _member_month(row, len(workdays), checkins.get(row.member_id), leave.get(row.member_id), today_counts, settings)
        for row in roster
    ]
    return MonthReport(township.name, year, month, upto, len(workdays), rows)


def _member_month(row, required: int, checkins: CheckinCounts | None, leave: LeaveCounts | None,
                  today_counts: bool, settings: Settings) -> MemberMonth:
    checkins = checkins or CheckinCounts()
    leave = leave or LeaveCounts()
    pending = today_counts and not checkins.today and not leave.today
    missed = required - checkins.on_workdays - leave.days - (1 if pending else 0)
    colour, flagged = colour_of(missed, settings)
    return MemberMonth(
        member_id=row.member_id,
        name=row.name,
        role=row.role,
        village_id=row.village_id,
        village_name=row.village_name,
        required=required,
        checked=checkins.on_workdays,
        late=checkins.late,
        leave=leave.days,
        missed=missed,
        rest_day_checkins=checkins.on_rest_days,
        pending_today=pending,
        colour=colour,
        flagged=flagged,
    )


def colour_of(missed: int, settings: Settings) -> tuple[str, bool]:
    """Green, yellow at `yellow_at` missed workdays, red at `red_at`; flagged over `flag_over`."""
    rules = settings.attendance
    colour = RED if missed >= rules.red_at else YELLOW if missed >= rules.yellow_at else GREEN
    return colour, missed > rules.flag_over
