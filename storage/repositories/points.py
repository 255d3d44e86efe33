"""Points ledger queries: add entries, the keys already given, totals per member and area over a
period, a member's last entries, and the colour last told."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from storage.models import Member, PointsEntry, PointsStatus

__all__ = ["PointsRepository"]


class PointsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: PointsEntry) -> PointsEntry:
        self.session.add(entry)
        self.session.flush()
        return entry

    def get(self, entry_id: int, township_id: int) -> PointsEntry | None:
        entry = self.session.get(PointsEntry, entry_id)
        return entry if entry is not None and entry.township_id == township_id else None

    def correction_of(self, entry_id: int) -> PointsEntry | None:
        return self.session.scalar(select(PointsEntry).where(PointsEntry.corrects_id == entry_id))

    def uncorrected_rule_entries(self, township_id: int, since: date, rules: set[str]) -> list[PointsEntry]:
        """Rule entries of the township counted from `since` on that no correction refers to yet."""
        corrected = select(PointsEntry.corrects_id).where(PointsEntry.corrects_id.is_not(None))
        query = select(PointsEntry).where(
            PointsEntry.township_id == township_id, PointsEntry.day >= since, PointsEntry.rule_key.is_not(None),
            PointsEntry.source.in_(rules), PointsEntry.id.not_in(corrected),
        ).order_by(PointsEntry.id)
        return list(self.session.scalars(query))

    def existing_keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(keys), 500):  # keep IN lists of a bounded size
            chunk = keys[start:start + 500]
            found.update(self.session.scalars(select(PointsEntry.rule_key).where(PointsEntry.rule_key.in_(chunk))))
        return found

    def area_totals(self, member_ids: list[int], first: date, last: date) -> dict[int, dict[str, tuple[int, int]]]:
        """member id -> area -> (gains, losses) of the entries counted for days in [first, last]."""
        gains = func.sum(case((PointsEntry.points > 0, PointsEntry.points), else_=0))
        losses = func.sum(case((PointsEntry.points < 0, PointsEntry.points), else_=0))
        query = (
            select(PointsEntry.member_id, PointsEntry.area, gains, losses)
            .where(PointsEntry.member_id.in_(member_ids), PointsEntry.day >= first, PointsEntry.day <= last)
            .group_by(PointsEntry.member_id, PointsEntry.area)
        )
        totals: dict[int, dict[str, tuple[int, int]]] = {}
        for member_id, area, plus, minus in self.session.execute(query):
            totals.setdefault(member_id, {})[area] = (int(plus or 0), int(minus or 0))
        return totals

    def recent(self, member_id: int, limit: int = 5) -> list[PointsEntry]:
        query = (select(PointsEntry).where(PointsEntry.member_id == member_id)
                 .order_by(PointsEntry.id.desc()).limit(limit))
        return list(self.session.scalars(query))

    def ledger_of_township(self, township_id: int, first: date, last: date, per_village: int = 200
                           ) -> dict[int, list[PointsEntry]]:
        """Village id -> its entries counted for days in [first, last], newest first (at most
        `per_village` each), with who they are for and who scored them: one query for the township."""
        newest = func.row_number().over(partition_by=Member.village_id, order_by=PointsEntry.id.desc())
        ranked = (
            select(PointsEntry.id, newest.label("n")).join(Member, Member.id == PointsEntry.member_id)
            .where(Member.township_id == township_id, Member.village_id.is_not(None),
                   PointsEntry.day >= first, PointsEntry.day <= last)
            .subquery()
        )
        query = (
            select(PointsEntry).join(ranked, ranked.c.id == PointsEntry.id).where(ranked.c.n <= per_village)
            .options(joinedload(PointsEntry.member), joinedload(PointsEntry.created_by))
            .order_by(PointsEntry.id.desc())
        )
        ledger: dict[int, list[PointsEntry]] = defaultdict(list)
        for entry in self.session.scalars(query):
            ledger[entry.member.village_id].append(entry)
        return dict(ledger)

    def statuses(self, member_ids: list[int], year: int) -> dict[int, PointsStatus]:
        query = select(PointsStatus).where(PointsStatus.member_id.in_(member_ids), PointsStatus.year == year)
        return {status.member_id: status for status in self.session.scalars(query)}

    def add_status(self, status: PointsStatus) -> PointsStatus:
        self.session.add(status)
        self.session.flush()
        return status
