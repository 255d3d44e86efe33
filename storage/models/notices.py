"""Notices that must be acknowledged (`/通知 … 需回复收到`): who was asked, who said 收到."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.models.org import GroupChat
from storage.types import ShanghaiDateTime


class Notice(Base):
    """A notice posted in a group. With `needs_ack`, the expected members are fixed when it is
    posted; the re-alert sweep asks those who have not acknowledged until `deadline`."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group_chats.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    needs_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    deadline: Mapped[datetime | None] = mapped_column(ShanghaiDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime, index=True)

    group: Mapped[GroupChat] = relationship()
    acks: Mapped[list[NoticeAck]] = relationship(order_by="NoticeAck.id")


class NoticeAck(Base):
    """One member's 收到 (typed or tapped); the unique pair makes a second one a no-op."""

    __tablename__ = "notice_acks"
    __table_args__ = (UniqueConstraint("notice_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    acked_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
