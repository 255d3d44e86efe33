"""Meetings (会议): the meeting, who is expected and how they signed in, the sends planned for it
(reminders, roll call, spot-check, 传达 reminders) and each village's 传达."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.models.org import Member
from storage.types import ShanghaiDateTime


class Meeting(Base):
    """A meeting of the township (village_id empty) or of one village."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    title: Mapped[str] = mapped_column(String(64))
    theme: Mapped[str] = mapped_column(String(256), default="")
    place: Mapped[str] = mapped_column(String(128), default="")
    starts_at: Mapped[datetime] = mapped_column(ShanghaiDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled|cancelled
    spot_seed: Mapped[int] = mapped_column(Integer)
    # "calendar:<title>:<date>" for meetings made from the party calendar: unique, so made once
    source: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)

    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", order_by="MeetingAttendee.id"
    )

    @property
    def is_township_meeting(self) -> bool:
        return self.village_id is None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


class MeetingAttendee(Base):
    """One expected attendee: sign-in time, and the notebook spot-check if picked."""

    __tablename__ = "meeting_attendees"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    signed_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    spot_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    notes_ref: Mapped[str | None] = mapped_column(String(256))
    notes_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    member: Mapped[Member] = relationship()


class MeetingSend(Base):
    """A planned send: due at `due_at`, dropped when first looked at after `expires_at`.

    status: planned → done | dropped (came due too late to mean anything) | cancelled.
    """

    __tablename__ = "meeting_sends"
    __table_args__ = (UniqueConstraint("meeting_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(ShanghaiDateTime, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    done_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)

    meeting: Mapped[Meeting] = relationship()


class MeetingRelay(Base):
    """A village's 传达 of a township meeting to its villagers."""

    __tablename__ = "meeting_relays"
    __table_args__ = (UniqueConstraint("meeting_id", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    image_ref: Mapped[str | None] = mapped_column(String(256))
    posted_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
