"""Leave (请假): a member's request for days off, decided by the village's 书记 or an admin.
Approved leave days are never missed days, and excuse the member from meetings on those days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.models.org import Member
from storage.types import ShanghaiDateTime


class LeaveRequest(Base):
    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|approved|rejected
    requested_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("members.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
