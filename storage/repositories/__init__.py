"""Repositories: query helpers that take a session and never commit."""

from storage.repositories.attendance import AttendanceRepository
from storage.repositories.checkins import CheckinRepository, NewCheckin
from storage.repositories.leave import LeaveRepository
from storage.repositories.meetings import MeetingRepository
from storage.repositories.messages import OutboxRepository, ProcessedMessageRepository
from storage.repositories.notices import NoticeRepository
from storage.repositories.org import OrgRepository, Overseers
from storage.repositories.points import PointsRepository
from storage.repositories.resolutions import ResolutionRepository
from storage.repositories.search import SearchRepository
from storage.repositories.votes import VoteRepository

__all__ = [
    "AttendanceRepository",
    "CheckinRepository",
    "LeaveRepository",
    "MeetingRepository",
    "NewCheckin",
    "NoticeRepository",
    "OrgRepository",
    "Overseers",
    "OutboxRepository",
    "PointsRepository",
    "ProcessedMessageRepository",
    "ResolutionRepository",
    "SearchRepository",
    "VoteRepository",
]
