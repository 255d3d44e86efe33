"""The month's attendance of a township or one village: per member the days required, checked in,
late, on leave and missed, and the warning colour. Built from a few aggregate queries, so a whole
township costs the same handful of queries as one village.

Days counted run from the 1st to the end of the month, or to `today` in the current month. Today
is not over yet: without a check-in or leave it is `pending`, not missed. A member's days count
from their start date (and never before the township started using the bot): before it nothing
is required, nothing is missed, and a month that ended before it is shown as "—".

A month of a year whose national schedule is not published yet is counted provisionally and the
report carries the mark (`MonthReport.mark`); nothing of it is stored for good.
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
    started: bool = True  # False: the member's counting starts after the days of this report
    team: str | None = None
    start: date | None = None  # the first day counted for the member


@dataclass(frozen=True)
class MonthReport:
    township_name: str
    year: int
    month: int
    upto: date | None  # last day counted; None when the month has not begun
    required: int
    members: list[MemberMonth]
    mark: str = ""  # "（暂定：2027 年放假安排未发布）" when the month's year is provisional

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
    calendar = calendar_for(settings, township.name)
    mark = calendar.mark(first, last)
    if upto < first:
        return MonthReport(township.name, year, month, None, 0, [], mark)
    workdays = calendar.workdays(first, upto)
    repo = AttendanceRepository(session)
    roster = repo.roster(township.id, village_id, settings.attendance.roles)
    checkins = repo.checkin_counts(township.id, village_id, first, upto, workdays, today)
    leave = repo.leave_counts(township.id, village_id, workdays, today)
    rows = [
        _member_month(row, _required_days(row, workdays), checkins.get(row.member_id), leave.get(row.member_id),
                      today, upto, settings)
        for row in roster
    ]
    return MonthReport(township.name, year, month, upto, len(workdays), rows, mark)


def start_of(row) -> date | None:
    """The first day counted for a roster row: its start date, not before the township's."""
    return latest_start(row.start, row.township_start)


def latest_start(member_start: date | None, township_start: date | None) -> date | None:
    """A member is counted from the later of his own start and his township's (None: always)."""
    starts = [day for day in (member_start, township_start) if day is not None]
    return max(starts) if starts else None


def _required_days(row, workdays: list[date]) -> list[date]:
    start = start_of(row)
    return workdays if start is None else [day for day in workdays if day >= start]


def _member_month(row, workdays: list[date], checkins: CheckinCounts | None, leave: LeaveCounts | None,
                  today: date, upto: date, settings: Settings) -> MemberMonth:
    checkins = checkins or CheckinCounts()
    leave = leave or LeaveCounts()
    start = start_of(row)
    pending = today in workdays and not checkins.today and not leave.today
    # check-ins or leave before the start never make up for anything: clamp at zero
    missed = max(0, len(workdays) - checkins.on_workdays - leave.days - (1 if pending else 0))
    colour, flagged = colour_of(missed, settings)
    return MemberMonth(
        member_id=row.member_id,
        name=row.name,
        role=row.role,
        village_id=row.village_id,
        village_name=row.village_name,
        required=len(workdays),
        checked=checkins.on_workdays,
        late=checkins.late,
        leave=leave.days,
        missed=missed,
        rest_day_checkins=checkins.on_rest_days,
        pending_today=pending,
        colour=colour,
        flagged=flagged,
        started=start is None or start <= upto,
        team=row.team,
        start=start,
    )


def colour_of(missed: int, settings: Settings) -> tuple[str, bool]:
    """Green, yellow at `yellow_at` missed workdays, red at `red_at`; flagged over `flag_over`."""
    rules = settings.attendance
    colour = RED if missed >= rules.red_at else YELLOW if missed >= rules.yellow_at else GREEN
    return colour, missed > rules.flag_over
