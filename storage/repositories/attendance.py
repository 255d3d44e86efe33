"""Attendance queries: a whole month for a township (or one village) in a few aggregate queries
(GROUP BY over check-ins and leave), the 补卡 audit and the last notified warning colour.

Which days are workdays is not storage's business: callers pass the list of days to count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from storage.models import AttendanceStatus, Checkin, CheckinCorrection, LeaveRequest, Member, Township, Village

__all__ = ["AttendanceRepository", "CheckinCounts", "LeaveCounts", "RosterRow"]


@dataclass(frozen=True)
class RosterRow:
    member_id: int
    name: str
    role: str
    village_id: int
    village_name: str
    start: date | None = None  # the member's start date
    township_start: date | None = None  # the day the township started using the bot
    team: str | None = None


@dataclass(frozen=True)
class CheckinCounts:
    on_workdays: int = 0
    late: int = 0
    on_rest_days: int = 0
    today: bool = False


@dataclass(frozen=True)
class LeaveCounts:
    days: int = 0  # counted workdays on approved leave without a check-in
    today: bool = False


class AttendanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # the month report ----------------------------------------------------------------------
    def roster(self, township_id: int, village_id: int | None, roles: list[str]) -> list[RosterRow]:
        """Active village members who must check in, ordered by village then roster order."""
        query = (
            select(Member.id, Member.name, Member.role, Village.id, Village.name, Member.start_date,
                   Township.started_on, Member.team)
            .join(Village, Village.id == Member.village_id)
            .join(Township, Township.id == Member.township_id)
            .where(Member.township_id == township_id, Member.active.is_(True), Member.role.in_(roles))
            .order_by(Village.id, Member.id)
        )
        if village_id is not None:
            query = query.where(Member.village_id == village_id)
        return [RosterRow(*row) for row in self.session.execute(query)]

    def checkin_counts(
        self, township_id: int, village_id: int | None, first: date, last: date, workdays: list[date], today: date
    ) -> dict[int, CheckinCounts]:
        """Per member, check-ins from `first` to `last`: on the given workdays, late ones among
        those, on other (rest) days, and whether one is on `today`. One GROUP BY query."""
        on_workday = Checkin.day.in_(workdays) if workdays else literal(False)
        query = (
            select(
                Checkin.member_id,
                func.sum(case((on_workday, 1), else_=0)),
                func.sum(case((and_(on_workday, Checkin.late.is_(True)), 1), else_=0)),
                func.sum(case((on_workday, 0), else_=1)),
                func.max(case((Checkin.day == today, 1), else_=0)),
            )
            .join(Member, Member.id == Checkin.member_id)
            .where(Checkin.day >= first, Checkin.day <= last, Member.township_id == township_id)
            .group_by(Checkin.member_id)
        )
        if village_id is not None:
            query = query.where(Member.village_id == village_id)
        return {
            member_id: CheckinCounts(int(work or 0), int(late or 0), int(rest or 0), bool(now))
            for member_id, work, late, rest, now in self.session.execute(query)
        }

    def leave_counts(
        self, township_id: int, village_id: int | None, workdays: list[date], today: date
    ) -> dict[int, LeaveCounts]:
        """Per member, the given workdays covered by approved leave and not checked in anyway."""
        if not workdays:
            return {}
        days = union_all(*(select(literal(day, Date).label("day")) for day in workdays)).cte("counted_days")
        query = (
            select(
                LeaveRequest.member_id,
                func.count(func.distinct(days.c.day)),
                func.max(case((days.c.day == today, 1), else_=0)),
            )
            .select_from(days)
            .join(
                LeaveRequest,
                and_(
                    LeaveRequest.status == "approved",
                    LeaveRequest.start_day <= days.c.day,
                    LeaveRequest.end_day >= days.c.day,
                ),
            )
            .join(Member, Member.id == LeaveRequest.member_id)
            .outerjoin(Checkin, and_(Checkin.member_id == LeaveRequest.member_id, Checkin.day == days.c.day))
            .where(Member.township_id == township_id, Checkin.id.is_(None))
            .group_by(LeaveRequest.member_id)
        )
        if village_id is not None:
            query = query.where(Member.village_id == village_id)
        return {member_id: LeaveCounts(int(n), bool(now)) for member_id, n, now in self.session.execute(query)}

    # 补卡 audit --------------------------------------------------------------------------------
    def add_correction(self, correction: CheckinCorrection) -> CheckinCorrection:
        self.session.add(correction)
        self.session.flush()
        return correction

    def corrections_of(self, member_id: int) -> list[CheckinCorrection]:
        query = select(CheckinCorrection).where(CheckinCorrection.member_id == member_id)
        return list(self.session.scalars(query.order_by(CheckinCorrection.id)))

    # warning colours -------------------------------------------------------------------------
    def statuses(self, member_ids: list[int], month: str) -> dict[int, AttendanceStatus]:
        if not member_ids:
            return {}
        query = select(AttendanceStatus).where(
            AttendanceStatus.month == month, AttendanceStatus.member_id.in_(member_ids)
        )
        return {status.member_id: status for status in self.session.scalars(query)}

    def add_status(self, status: AttendanceStatus) -> AttendanceStatus:
        self.session.add(status)
        self.session.flush()
        return status
