"""Daily check-ins (/打卡): one row per member per local day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.models.org import Member
from storage.types import ShanghaiDateTime


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("member_id", "day"),
        Index("ix_checkins_village_day", "village_id", "day", "checked_at"),  # the day's order; reports
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    checked_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    source: Mapped[str] = mapped_column(String(16), default="chat")

    member: Mapped[Member] = relationship()
