"""Repositories: query helpers that take a session and never commit."""

from storage.repositories.checkins import CheckinRepository
from storage.repositories.leave import LeaveRepository
from storage.repositories.meetings import MeetingRepository
from storage.repositories.messages import OutboxRepository, ProcessedMessageRepository
from storage.repositories.org import OrgRepository

__all__ = ["CheckinRepository", "LeaveRepository", "MeetingRepository", "OrgRepository", "OutboxRepository", "ProcessedMessageRepository"]
