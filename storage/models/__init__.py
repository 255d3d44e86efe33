"""All table models. Importing this package registers every table on `Base.metadata`.

One module per family; a new family adds its module here and a migration under
`storage/migrations/versions/`.
"""

from storage.base import Base
from storage.models.attendance import AttendanceStatus, CheckinCorrection, LeaveRequest
from storage.models.checkin import Checkin
from storage.models.inbox import InboxMessage
from storage.models.meetings import Meeting, MeetingAttendee, MeetingRelay, MeetingSend
from storage.models.messaging import OutboxMessage, ProcessedMessage
from storage.models.points import PointsEntry, PointsStatus
from storage.models.notices import Notice, NoticeAck
from storage.models.org import BindingRequest, GroupChat, Identity, Member, Role, Township, Village
from storage.models.resolutions import (
    Ballot,
    MediaFile,
    MinutesImage,
    MinutesSession,
    Resolution,
    ResolutionDraft,
    SearchToken,
    Vote,
)
from storage.models.scale import RosterVersion

__all__ = [
    "Ballot",
    "AttendanceStatus",
    "Base",
    "BindingRequest",
    "Checkin",
    "CheckinCorrection",
    "GroupChat",
    "Identity",
    "InboxMessage",
    "LeaveRequest",
    "MediaFile",
    "Meeting",
    "MeetingAttendee",
    "MeetingRelay",
    "MeetingSend",
    "Member",
    "Notice",
    "NoticeAck",
    "MinutesImage",
    "MinutesSession",
    "OutboxMessage",
    "PointsEntry",
    "PointsStatus",
    "ProcessedMessage",
    "Resolution",
    "ResolutionDraft",
    "Role",
    "RosterVersion",
    "SearchToken",
    "Township",
    "Village",
    "Vote",
]
