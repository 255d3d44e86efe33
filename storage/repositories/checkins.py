"""Queries on daily check-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from storage.driver import DriverStatement
from storage.inserts import core_connection, insert_if_new
from storage.models import Checkin

_EARLIER_THAT_DAY = select(func.count(Checkin.id)).where(
    Checkin.day == bindparam("day"),
    (Checkin.checked_at < bindparam("at")) | ((Checkin.checked_at == bindparam("at")) & (Checkin.id <= bindparam("id"))),
)
_ORDER_IN_VILLAGE = DriverStatement(_EARLIER_THAT_DAY.where(Checkin.village_id == bindparam("village")))
_ORDER_IN_TOWNSHIP = DriverStatement(_EARLIER_THAT_DAY.where(Checkin.village_id.is_(None)))
_CHECKIN_COLUMNS = ("member_id", "day", "checked_at", "late", "village_id", "source")
_FIRST_OF_DAY = DriverStatement(
    select(Checkin.checked_at, Checkin.late).where(Checkin.member_id == bindparam("member"), Checkin.day == bindparam("day"))
)


@dataclass
class NewCheckin:
    """A check-in about to be stored by `add_if_first`: plain values, as building an ORM object
    (attribute events, instance state) costs more than the insert itself. `id` is set once stored."""

    member_id: int
    day: date
    checked_at: datetime
    late: bool
    village_id: int | None
    source: str = "chat"
    id: int | None = None


class CheckinRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def of_member_on(self, member_id: int, day: date) -> Checkin | None:
        return self.session.scalar(select(Checkin).where(Checkin.member_id == member_id, Checkin.day == day))

    def time_of_day(self, member_id: int, day: date) -> tuple[datetime, bool] | None:
        """(checked_at, late) of the member's check-in that day, or None: the answer to a second
        `/打卡`, read without building the ORM object."""
        return _FIRST_OF_DAY.first(core_connection(self.session), {"member": member_id, "day": day})

    def add(self, checkin: Checkin) -> Checkin:
        self.session.add(checkin)
        self.session.flush()
        return checkin

    def add_if_first(self, checkin: NewCheckin) -> bool:
        """Store the member's check-in of the day unless one exists (one INSERT … ON CONFLICT DO
        NOTHING); on success `checkin.id` is set."""
        values = {column: getattr(checkin, column) for column in _CHECKIN_COLUMNS}
        checkin.id = insert_if_new(core_connection(self.session), Checkin.__table__, values, ("member_id", "day"))
        return checkin.id is not None

    def order_of(self, checkin: NewCheckin) -> int:
        """1-based rank of this check-in among the same village's check-ins that day (one count
        on the (village_id, day, checked_at) index)."""
        query = _ORDER_IN_TOWNSHIP if checkin.village_id is None else _ORDER_IN_VILLAGE
        values = {"day": checkin.day, "at": checkin.checked_at, "id": checkin.id, "village": checkin.village_id}
        return query.scalar(core_connection(self.session), values) or 0

    def checked_in_member_ids(self, day: date, member_ids: list[int]) -> set[int]:
        if not member_ids:
            return set()
        rows = self.session.scalars(
            select(Checkin.member_id).where(Checkin.day == day, Checkin.member_id.in_(member_ids))
        )
        return set(rows)
