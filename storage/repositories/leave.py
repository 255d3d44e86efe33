"""Queries on leave requests."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import LeaveRequest


class LeaveRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, request: LeaveRequest) -> LeaveRequest:
        self.session.add(request)
        self.session.flush()
        return request

    def get(self, request_id: int) -> LeaveRequest | None:
        return self.session.get(LeaveRequest, request_id)

    def members_on_leave(self, member_ids: list[int], day: date) -> set[int]:
        """Of these members, those with approved leave covering `day`."""
        if not member_ids:
            return set()
        rows = self.session.scalars(
            select(LeaveRequest.member_id).where(
                LeaveRequest.member_id.in_(member_ids),
                LeaveRequest.status == "approved",
                LeaveRequest.start_day <= day,
                LeaveRequest.end_day >= day,
            )
        )
        return set(rows)

    def overlapping(self, member_id: int, start_day: date, end_day: date) -> LeaveRequest | None:
        """A pending or approved request of this member sharing a day with the given span."""
        return self.session.scalars(
            select(LeaveRequest).where(
                LeaveRequest.member_id == member_id,
                LeaveRequest.status.in_(("pending", "approved")),
                LeaveRequest.start_day <= end_day,
                LeaveRequest.end_day >= start_day,
            )
        ).first()
