"""All table models. Importing this package registers every table on `Base.metadata`.

One module per family; a new family adds its module here and a migration under
`storage/migrations/versions/`.
"""

from storage.base import Base
from storage.models.attendance import LeaveRequest
from storage.models.checkin import Checkin
from storage.models.meetings import Meeting, MeetingAttendee, MeetingRelay, MeetingSend
from storage.models.messaging import OutboxMessage, ProcessedMessage
from storage.models.org import BindingRequest, GroupChat, Identity, Member, Role, Township, Village

__all__ = [
    "Base",
    "BindingRequest",
    "Checkin",
    "GroupChat",
    "Identity",
    "LeaveRequest",
    "Meeting",
    "MeetingAttendee",
    "MeetingRelay",
    "MeetingSend",
    "Member",
    "OutboxMessage",
    "ProcessedMessage",
    "Role",
    "Township",
    "Village",
]
