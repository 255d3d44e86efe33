"""Look-ups for minutes sessions and their images, resolution drafts and resolutions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import MediaFile, MinutesImage, MinutesSession, Resolution, ResolutionDraft


class ResolutionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row):
        self.session.add(row)
        self.session.flush()
        return row

    # minutes -----------------------------------------------------------------------------
    def open_minutes(self, group_id: int) -> MinutesSession | None:
        return self.session.scalar(
            select(MinutesSession)
            .where(MinutesSession.group_id == group_id, MinutesSession.closed_at.is_(None))
            .order_by(MinutesSession.id.desc())
        )

    def minutes(self, session_id: int, township_id: int) -> MinutesSession | None:
        found = self.session.get(MinutesSession, session_id)
        return found if found is not None and found.township_id == township_id else None

    def recent_minutes(self, group_id: int, limit: int = 5) -> list[MinutesSession]:
        return list(
            self.session.scalars(
                select(MinutesSession)
                .where(MinutesSession.group_id == group_id)
                .order_by(MinutesSession.id.desc())
                .limit(limit)
            )
        )

    def media_by_sha(self, sha256: str) -> MediaFile | None:
        return self.session.scalar(select(MediaFile).where(MediaFile.sha256 == sha256))

    def has_image(self, session_id: int, media_id: int) -> bool:
        return (
            self.session.scalar(
                select(MinutesImage.id).where(MinutesImage.session_id == session_id, MinutesImage.media_id == media_id)
            )
            is not None
        )

    def resolutions_of_minutes(self, session_id: int) -> list[Resolution]:
        return list(
            self.session.scalars(
                select(Resolution).where(Resolution.minutes_session_id == session_id).order_by(Resolution.id)
            )
        )

    # drafts and resolutions -----------------------------------------------------------------
    def pending_draft(self, group_id: int, member_id: int) -> ResolutionDraft | None:
        return self.session.scalar(
            select(ResolutionDraft)
            .where(
                ResolutionDraft.group_id == group_id,
                ResolutionDraft.member_id == member_id,
                ResolutionDraft.status == "pending",
            )
            .order_by(ResolutionDraft.id.desc())
        )

    def resolution(self, resolution_id: int, township_id: int) -> Resolution | None:
        found = self.session.get(Resolution, resolution_id)
        return found if found is not None and found.township_id == township_id else None

    def resolutions(self, ids: list[int]) -> dict[int, Resolution]:
        if not ids:
            return {}
        return {r.id: r for r in self.session.scalars(select(Resolution).where(Resolution.id.in_(ids)))}

    def minutes_by_ids(self, ids: list[int]) -> dict[int, MinutesSession]:
        if not ids:
            return {}
        return {m.id: m for m in self.session.scalars(select(MinutesSession).where(MinutesSession.id.in_(ids)))}
