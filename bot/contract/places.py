"""Where a command may be used (private chat, a village's work group, the township's work group)
and on what it acts (scope). Both are declared on every command and enforced by the router."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.models import GroupChat

__all__ = ["Place", "Scope", "ANYWHERE", "GROUPS", "place_of"]


class Place(str, enum.Enum):
    """A chat a message can come from. A group the configuration has not bound counts as private."""

    PRIVATE = "private"
    VILLAGE_GROUP = "village_group"
    TOWNSHIP_GROUP = "township_group"


GROUPS = frozenset({Place.VILLAGE_GROUP, Place.TOWNSHIP_GROUP})
ANYWHERE = frozenset(Place)


class Scope(str, enum.Enum):
    """What a command acts on, which decides whose group it may be used in.

    PUBLIC:   nothing of anyone's (help, asking to be bound): anybody, anywhere.
    SELF:     the sender's own records (check in, own attendance, ask for leave): any group of the
              sender's own township.
    VILLAGE:  a village's affairs (meetings, votes, resolutions, leave decisions): in a village
              group only that village's members and the township's admins; elsewhere the
              sender's own village.
    TOWNSHIP: the township's affairs (publishing, township-wide tables): the township's own groups.
    """

    PUBLIC = "public"
    SELF = "self"
    VILLAGE = "village"
    TOWNSHIP = "township"


def place_of(group: GroupChat | None) -> Place:
    if group is None:
        return Place.PRIVATE
    return Place.TOWNSHIP_GROUP if group.village_id is None else Place.VILLAGE_GROUP
