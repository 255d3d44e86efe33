"""Minutes, resolutions, live votes and the search index (issue 6).

A `MinutesSession` is "a meeting whose minutes are being taken in this group" (`/纪要 开始 主题`);
opened while one of the group's meetings is under way, it (and any resolution recorded in it)
points at that meeting.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base
from storage.models.org import GroupChat, Member
from storage.types import ShanghaiDateTime


class MediaFile(Base):
    """An image stored once, content-addressed by its sha256, with a thumbnail next to it."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(255))
    thumbnail_path: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)


class MinutesSession(Base):
    __tablename__ = "minutes_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group_chats.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    topic: Mapped[str] = mapped_column(String(200), default="")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    opened_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)

    group: Mapped[GroupChat] = relationship()
    opened_by: Mapped[Member] = relationship()
    images: Mapped[list[MinutesImage]] = relationship(order_by="MinutesImage.id")


class MinutesImage(Base):
    __tablename__ = "minutes_images"
    __table_args__ = (UniqueConstraint("session_id", "media_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("minutes_sessions.id"), index=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    added_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)

    media: Mapped[MediaFile] = relationship()


class ResolutionDraft(Base):
    """What the bot understood of a pasted text, waiting for the sender's /确认 or /修改."""

    __tablename__ = "resolution_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group_chats.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    fields: Mapped[dict] = mapped_column(JSON)
    source_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | replaced


class Resolution(Base):
    """A recorded resolution and its four steps: 论证 → 召开会议 → 形成决议 → 审核公开."""

    __tablename__ = "resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("group_chats.id"))
    minutes_session_id: Mapped[int | None] = mapped_column(ForeignKey("minutes_sessions.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    subject: Mapped[str] = mapped_column(Text)
    meeting_name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str | None] = mapped_column(String(16))
    expected: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    agree: Mapped[int] = mapped_column(Integer)
    against: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    agree_percent: Mapped[float | None] = mapped_column(Float)
    quorum_rule: Mapped[str] = mapped_column(String(16))
    quorum_met: Mapped[bool] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16))  # structured | text | vote
    state: Mapped[str] = mapped_column(String(16))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    deliberated_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    meeting_started_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    meeting_ended_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    resolved_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    published_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    group: Mapped[GroupChat] = relationship()


class Vote(Base):
    """A live vote in a group (`/表决`), open until its deadline or until everyone has voted."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group_chats.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    voter_ids: Mapped[list] = mapped_column(JSON)  # the expected voters, fixed when opened
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    opened_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
    deadline: Mapped[datetime | None] = mapped_column(ShanghaiDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(ShanghaiDateTime)
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))

    group: Mapped[GroupChat] = relationship()
    ballots: Mapped[list[Ballot]] = relationship(order_by="Ballot.id")


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("vote_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    choice: Mapped[str] = mapped_column(String(8))  # 同意 | 反对 | 弃权
    cast_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)


class SearchToken(Base):
    """One jieba token of one searchable document (a resolution or a minutes session)."""

    __tablename__ = "search_tokens"
    __table_args__ = (UniqueConstraint("doc_kind", "doc_id", "token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    doc_kind: Mapped[str] = mapped_column(String(16))
    doc_id: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64), index=True)
    doc_at: Mapped[datetime] = mapped_column(ShanghaiDateTime)
