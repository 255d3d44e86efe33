"""Look-ups for live votes and their ballots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Ballot, Member, Vote


class VoteRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, vote: Vote) -> Vote:
        self.session.add(vote)
        self.session.flush()
        return vote

    def open_in_group(self, group_id: int, *, lock: bool = False) -> Vote | None:
        """The group's running vote; `lock` holds its row so ballots and closing run one at a time."""
        query = select(Vote).where(Vote.group_id == group_id, Vote.closed_at.is_(None)).order_by(Vote.id.desc())
        return self.session.scalar(query.with_for_update() if lock else query)

    def due(self, now: datetime) -> list[Vote]:
        """Open votes whose deadline has passed, oldest first; locked so two sweeps never close one twice."""
        query = (
            select(Vote)
            .where(Vote.closed_at.is_(None), Vote.deadline.is_not(None), Vote.deadline <= now)
            .order_by(Vote.id)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(query))

    def ballot(self, vote_id: int, member_id: int) -> Ballot | None:
        return self.session.scalar(select(Ballot).where(Ballot.vote_id == vote_id, Ballot.member_id == member_id))

    def cast(self, ballot: Ballot) -> Ballot:
        self.session.add(ballot)
        self.session.flush()
        return ballot

    def township_staff(self, township_id: int) -> list[Member]:
        """Active members of the township itself (no village): the voters of a township group."""
        query = select(Member).where(
            Member.township_id == township_id, Member.village_id.is_(None), Member.active.is_(True)
        )
        return list(self.session.scalars(query.order_by(Member.id)))
