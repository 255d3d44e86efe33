"""Queries on daily check-ins."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Checkin


class CheckinRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def of_member_on(self, member_id: int, day: date) -> Checkin | None:
        return self.session.scalar(select(Checkin).where(Checkin.member_id == member_id, Checkin.day == day))

    def add(self, checkin: Checkin) -> Checkin:
        self.session.add(checkin)
        self.session.flush()
        return checkin

    def order_of(self, checkin: Checkin) -> int:
        """1-based rank of this check-in among the same village's check-ins that day."""
        query = select(func.count(Checkin.id)).where(
            Checkin.day == checkin.day,
            (Checkin.checked_at < checkin.checked_at)
            | ((Checkin.checked_at == checkin.checked_at) & (Checkin.id <= checkin.id)),
        )
        if checkin.village_id is None:
            query = query.where(Checkin.village_id.is_(None))
        else:
            query = query.where(Checkin.village_id == checkin.village_id)
        return self.session.scalar(query) or 0

    def checked_in_member_ids(self, day: date, member_ids: list[int]) -> set[int]:
        if not member_ids:
            return set()
        rows = self.session.scalars(
            select(Checkin.member_id).where(Checkin.day == day, Checkin.member_id.in_(member_ids))
        )
        return set(rows)
