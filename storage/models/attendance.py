"""Leave (请假): a member's request for days off, decided by the village's 书记 or an admin.
Approved leave days are never missed days, and excuse the member from meetings on those days.
Also the audit of check-in corrections (补卡) and the warning colour last notified per month."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
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


class CheckinCorrection(Base):
    """Audit entry of a /补卡: who corrected whose day, when, why, and what the record was before."""

    __tablename__ = "checkin_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id"))
    previous: Mapped[str] = mapped_column(String(16))  # missing | late
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    corrected_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    corrected_by: Mapped[Member] = relationship(foreign_keys=[corrected_by_id])


class AttendanceStatus(Base):
    """The warning colour last notified for a member in a month, so a notice goes once per change."""

    __tablename__ = "attendance_status"
    __table_args__ = (UniqueConstraint("member_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    colour: Mapped[str] = mapped_column(String(8))  # green | yellow | red
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    missed: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
