"""Queries on meetings, their attendees, planned sends and 传达."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import Meeting, MeetingAttendee, MeetingRelay, MeetingSend, Member


class MeetingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, meeting: Meeting, member_ids: list[int], sends: list[MeetingSend]) -> Meeting:
        self.session.add(meeting)
        self.session.flush()
        for member_id in member_ids:
            self.session.add(MeetingAttendee(meeting_id=meeting.id, member_id=member_id))
        for send in sends:
            send.meeting_id = meeting.id
            self.session.add(send)
        self.session.flush()
        return meeting

    def get(self, meeting_id: int) -> Meeting | None:
        return self.session.get(Meeting, meeting_id)

    def by_source(self, source: str) -> Meeting | None:
        return self.session.scalar(select(Meeting).where(Meeting.source == source))

    def upcoming(self, township_id: int, since: datetime, village_id: int | None = None) -> list[Meeting]:
        """Scheduled meetings from `since` on, of the township and (if given) of one village."""
        query = select(Meeting).where(
            Meeting.township_id == township_id, Meeting.status == "scheduled", Meeting.starts_at >= since
        )
        scope = Meeting.village_id.is_(None)
        if village_id is not None:
            scope = scope | (Meeting.village_id == village_id)
        return list(self.session.scalars(query.where(scope).order_by(Meeting.starts_at, Meeting.id)))

    def open_for_signin(self, member_id: int, opens_before: datetime, closes_after: datetime) -> list[Meeting]:
        """Scheduled meetings of this member starting between the two bounds."""
        query = (
            select(Meeting)
            .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
            .where(
                MeetingAttendee.member_id == member_id,
                Meeting.status == "scheduled",
                Meeting.starts_at <= opens_before,
                Meeting.starts_at >= closes_after,
            )
        )
        return list(self.session.scalars(query.order_by(Meeting.starts_at)))

    def attendee(self, meeting_id: int, member_id: int) -> MeetingAttendee | None:
        return self.session.scalar(
            select(MeetingAttendee).where(
                MeetingAttendee.meeting_id == meeting_id, MeetingAttendee.member_id == member_id
            )
        )

    def attendees(self, meeting_id: int) -> list[MeetingAttendee]:
        return list(
            self.session.scalars(
                select(MeetingAttendee)
                .where(MeetingAttendee.meeting_id == meeting_id)
                .options(selectinload(MeetingAttendee.member))
                .order_by(MeetingAttendee.id)
            )
        )

    def open_spot_checks(self, member_id: int) -> list[MeetingAttendee]:
        """This member's spot-check requests still waiting for a photo, newest meeting first."""
        return list(
            self.session.scalars(
                select(MeetingAttendee)
                .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
                .where(
                    MeetingAttendee.member_id == member_id,
                    MeetingAttendee.spot_checked.is_(True),
                    MeetingAttendee.notes_ref.is_(None),
                    Meeting.status == "scheduled",
                )
                .order_by(Meeting.starts_at.desc())
            )
        )

    # planned sends ---------------------------------------------------------------------------
    def sends(self, meeting_id: int) -> list[MeetingSend]:
        return list(
            self.session.scalars(
                select(MeetingSend).where(MeetingSend.meeting_id == meeting_id).order_by(MeetingSend.due_at)
            )
        )

    def due_sends(self, now: datetime) -> list[MeetingSend]:
        """Planned sends due by `now`, oldest first, locked against a concurrent sweep."""
        query = (
            select(MeetingSend)
            .where(MeetingSend.status == "planned", MeetingSend.due_at <= now)
            .order_by(MeetingSend.due_at, MeetingSend.id)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))

    # 传达 -----------------------------------------------------------------------------------
    def relay(self, meeting_id: int, village_id: int) -> MeetingRelay | None:
        return self.session.scalar(
            select(MeetingRelay).where(MeetingRelay.meeting_id == meeting_id, MeetingRelay.village_id == village_id)
        )

    def relays_of(self, meeting_ids: list[int]) -> dict[int, dict[int, MeetingRelay]]:
        """Meeting id -> village id -> its 传达, for many meetings in one query."""
        relays: dict[int, dict[int, MeetingRelay]] = {}
        for relay in self.session.scalars(select(MeetingRelay).where(MeetingRelay.meeting_id.in_(meeting_ids))):
            relays.setdefault(relay.meeting_id, {})[relay.village_id] = relay
        return relays

    def add_relay(self, relay: MeetingRelay) -> MeetingRelay:
        self.session.add(relay)
        self.session.flush()
        return relay

    def latest_relayable(self, township_id: int, now: datetime, since: datetime) -> Meeting | None:
        """The most recent township meeting that started between `since` and `now`."""
        return self.session.scalar(
            select(Meeting)
            .where(
                Meeting.township_id == township_id,
                Meeting.village_id.is_(None),
                Meeting.status == "scheduled",
                Meeting.starts_at <= now,
                Meeting.starts_at >= since,
            )
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )

    def in_progress(self, township_id: int, village_id: int | None, now: datetime) -> Meeting | None:
        """The group's meeting under way: from an hour before its start to six hours after."""
        return self.session.scalar(
            select(Meeting)
            .where(
                Meeting.township_id == township_id,
                Meeting.village_id.is_(None) if village_id is None else Meeting.village_id == village_id,
                Meeting.status == "scheduled",
                Meeting.starts_at <= now + timedelta(hours=1),
                Meeting.starts_at >= now - timedelta(hours=6),
            )
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )

    def members_for(self, township_id: int, village_id: int | None) -> list[Member]:
        query = select(Member).where(Member.township_id == township_id, Member.active.is_(True))
        if village_id is not None:
            query = query.where(Member.village_id == village_id)
        return list(self.session.scalars(query.order_by(Member.id)))
