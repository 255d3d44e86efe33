"""The one authorization policy. The router asks it about the declared place and scope before a
handler runs; a handler asks it about the object it acts on (this leave request, this meeting,
this vote, this resolution, this binding request) through `require_*`. A refusal is a `Refusal`
(a `UserError`): the user reads one Chinese line and nothing is stored.

Rules: admins act only inside their own township; everybody else only inside their own village;
nobody decides a request they are party to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from bot.contract import texts
from bot.contract.places import Place, Scope, place_of
from bot.errors import UserError
from storage.models import Role

if TYPE_CHECKING:
    from storage.models import GroupChat, Member

__all__ = ["Policy", "Refusal"]

ADMIN = Role.ADMIN.value


class Refusal(UserError):
    """The sender may not do this here; the text says what is missing. Nothing is stored."""


@dataclass
class Policy:
    """What the sender (`member`, None when unbound) may act on, in the chat `group` (None: private)."""

    member: Member | None
    group: GroupChat | None

    @property
    def place(self) -> Place:
        return place_of(self.group)

    @property
    def is_admin(self) -> bool:
        return self.member is not None and self.member.role == ADMIN

    # --- asked by the router, from the declaration ---------------------------------------------
    def refusal_for_place(self, command: str, places: Iterable[Place]) -> str | None:
        places = frozenset(places)
        if self.place in places:
            return None
        shown = "或".join(texts.PLACE_NAMES[p.value] for p in Place if p in places)
        template = texts.WRONG_PLACE_UNBOUND if self.place is Place.PRIVATE else texts.WRONG_PLACE
        return template.format(command=command, places=shown)

    def refusal_for_roles(self, command: str, roles: frozenset[str] | None) -> str | None:
        if roles is None or self.member is None or self.is_admin or self.member.role in roles:
            return None
        return texts.NOT_ALLOWED.format(command=command, roles="、".join(sorted(roles | {ADMIN})))

    def refusal_for_scope(self, command: str, scope: Scope) -> str | None:
        """The chat must belong to the sender's township; for a village-scoped command a village
        group must be the sender's own village (admins: any village of their township)."""
        if scope is Scope.PUBLIC or self.member is None or self.group is None:
            return None
        if self.group.township_id != self.member.township_id:
            return texts.OTHER_TOWNSHIP.format(command=command)
        if scope is Scope.VILLAGE and self.group.village_id is not None and not self.is_admin:
            if self.group.village_id != self.member.village_id:
                village = self.group.village.name if self.group.village else "该村"
                return texts.OTHER_VILLAGE.format(village=village, command=command)
        return None

    def may_use_here(self, scope: Scope) -> bool:
        """Would a command of this scope be allowed in this chat? (for listeners, which have no declaration)"""
        return self.member is not None and self.refusal_for_scope("", scope) is None

    # --- asked by handlers, about the object acted on ------------------------------------------
    def may_act_on(self, township_id: int | None, village_id: int | None) -> bool:
        """May the sender act on something of this township (and village; None: township level)?"""
        member = self.member
        if member is None or township_id != member.township_id:
            return False
        if self.is_admin:
            return True
        return village_id is not None and village_id == member.village_id

    def require(self, township_id: int | None, village_id: int | None, refusal: str | None = None) -> None:
        """Refuse unless the sender may act on an object of this township and village (`refusal`:
        the family's own text for a same-township refusal)."""
        if self.may_act_on(township_id, village_id):
            return
        if self.member is None or township_id != self.member.township_id:
            raise Refusal(texts.NOT_YOUR_TOWNSHIP)
        if refusal:
            raise Refusal(refusal)
        if village_id is None:
            raise Refusal(texts.TOWNSHIP_ONLY_ADMIN)
        raise Refusal(texts.NOT_YOUR_VILLAGE)

    def require_village(self, village_id: int | None, township_id: int | None = None, refusal: str | None = None) -> None:
        """Refuse unless the sender may act on this village (None: the township itself, admins only).
        `township_id` defaults to the sender's own (a village id is only ever looked up in it)."""
        if township_id is None and self.member is not None:
            township_id = self.member.township_id
        self.require(township_id, village_id, refusal)

    def require_member(self, subject: Member, refusal: str | None = None) -> None:
        """Refuse unless the sender may act on this member's affairs (his village, or township)."""
        self.require(subject.township_id, subject.village_id, refusal)

    def require_not_party(self, *member_ids: int | None, refusal: str | None = None) -> None:
        """Refuse when the sender is one of the parties of a request (its subject, its requester)."""
        if self.member is not None and self.member.id in member_ids:
            raise Refusal(refusal or texts.PARTY_TO_IT)
