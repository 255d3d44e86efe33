"""The township's organisation: townships, villages, group chats, members and their platform accounts."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.types import ShanghaiDateTime


class Role(str, enum.Enum):
    """A member's role. Values are what the roster and the chat show."""

    SECRETARY = "书记"
    CADRE = "村干部"
    PARTY_MEMBER = "党员"
    REPRESENTATIVE = "村民代表"
    ADMIN = "管理员"


class Township(Base):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # the day the township started using the bot (its first roster import): nothing before counts
    started_on: Mapped[date | None] = mapped_column(Date)

    villages: Mapped[list[Village]] = relationship(back_populates="township", order_by="Village.id")


class Village(Base):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))

    township: Mapped[Township] = relationship(back_populates="villages")


class GroupChat(Base):
    """A group chat on one platform, bound to a village or (village_id empty) to the township."""

    __tablename__ = "group_chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(128), default="")
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()

    @property
    def is_township_group(self) -> bool:
        return self.village_id is None


class Member(Base):
    """A person on the roster: a cadre, party member, representative or admin."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("township_id", "village_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the day attendance counting starts for this member (roster 起始日期, else first import/bind)
    start_date: Mapped[date | None] = mapped_column(Date)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
    identities: Mapped[list[Identity]] = relationship(back_populates="member")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def place(self) -> str:
        """Village name, or the township's for township staff."""
        return self.village.name if self.village else self.township.name


class Identity(Base):
    """A platform account (WeCom userid, DingTalk staffId, console) that speaks for a member."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("platform", "user_id"),
        UniqueConstraint("member_id", "platform"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))

    member: Mapped[Member] = relationship(back_populates="identities")


class BindingRequest(Base):
    """`/绑定 姓名` from an account the roster lacks, waiting for an admin's confirmation."""

    __tablename__ = "binding_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("members.id"))

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
