"""积分: the append-only points ledger and the colour last told per member and year.

An entry is never edited: a correction is a new entry (`corrects_id`) with the opposite points.
`rule_key` ("<rule>:<event>") is unique, so an event gives its points once however often the job
or the message that found it runs.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.models.org import Member
from storage.types import ShanghaiDateTime


class PointsEntry(Base):
    __tablename__ = "points_entries"
    __table_args__ = (
        UniqueConstraint("rule_key"),
        UniqueConstraint("corrects_id"),  # an entry is corrected at most once
        Index("ix_points_entries_member_day", "member_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    points: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32))  # a rule id | manual | correction
    rule_key: Mapped[str | None] = mapped_column(String(191))
    event: Mapped[str | None] = mapped_column(String(64))  # e.g. "checkin:12", "attendee:7"
    day: Mapped[date] = mapped_column(Date)  # the day it counts for (month / quarter / year totals)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("points_entries.id"))

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    created_by: Mapped[Member | None] = relationship(foreign_keys=[created_by_id])


class PointsStatus(Base):
    """The points colour last told to the 书记 for a member and year, so a change is told once."""

    __tablename__ = "points_status"
    __table_args__ = (UniqueConstraint("member_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    year: Mapped[int] = mapped_column(Integer)
    colour: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
