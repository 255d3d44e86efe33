"""Notices that must be acknowledged, and their 收到 records."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.models import Member, Notice, NoticeAck, Role

__all__ = ["NoticeRepository"]


class NoticeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, notice: Notice) -> Notice:
        self.session.add(notice)
        self.session.flush()
        return notice

    def open_in_group(self, group_id: int) -> list[Notice]:
        """Notices of a group still waiting for 收到, newest first."""
        query = select(Notice).where(
            Notice.group_id == group_id, Notice.needs_ack.is_(True), Notice.closed_at.is_(None)
        )
        return list(self.session.scalars(query.order_by(Notice.id.desc())))

    def open_ones(self) -> list[Notice]:
        """Every notice still waiting for 收到, with its group (one query for both)."""
        query = select(Notice).where(Notice.needs_ack.is_(True), Notice.closed_at.is_(None))
        return list(self.session.scalars(query.options(joinedload(Notice.group)).order_by(Notice.id)))

    def ack_of(self, notice_id: int, member_id: int) -> NoticeAck | None:
        return self.session.scalar(
            select(NoticeAck).where(NoticeAck.notice_id == notice_id, NoticeAck.member_id == member_id)
        )

    def add_ack(self, notice_id: int, member_id: int, at: datetime) -> NoticeAck:
        ack = NoticeAck(notice_id=notice_id, member_id=member_id, acked_at=at)
        self.session.add(ack)
        self.session.flush()
        return ack

    def acked_ids(self, notice_id: int) -> set[int]:
        return set(self.session.scalars(select(NoticeAck.member_id).where(NoticeAck.notice_id == notice_id)))

    def acked_ids_of(self, notice_ids: list[int]) -> dict[int, set[int]]:
        """Who said 收到 to each of many notices (notice id -> member ids), in one query."""
        acked: dict[int, set[int]] = defaultdict(set)
        query = select(NoticeAck.notice_id, NoticeAck.member_id).where(NoticeAck.notice_id.in_(notice_ids))
        for notice_id, member_id in self.session.execute(query):
            acked[notice_id].add(member_id)
        return dict(acked)

    def township_audience(self, township_id: int) -> list[Member]:
        """Who a township-group notice asks: the township's own staff and every village's 书记."""
        query = select(Member).where(
            Member.township_id == township_id, Member.active.is_(True),
            (Member.village_id.is_(None)) | (Member.role == Role.SECRETARY.value),
        )
        return list(self.session.scalars(query.order_by(Member.id)))
