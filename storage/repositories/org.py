"""Look-ups and upserts for townships, villages, group chats, members and identities."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from storage.models import BindingRequest, GroupChat, Identity, Member, Role, Township, Village


@dataclass(frozen=True)
class Overseers:
    """Who is told about a member's or a group's trouble: the village's 书记, else (for a village
    without one, and for the township itself) the township's admins. Loaded for many villages at
    once by `OrgRepository.secretaries_or_admins`; asking it costs no query."""

    secretaries: dict[int, list[Member]] = field(default_factory=dict)  # village id -> active 书记
    admins: dict[int, list[Member]] = field(default_factory=dict)  # township id -> active admins

    def of(self, township_id: int, village_id: int | None, *, besides: int | None = None) -> list[Member]:
        """The 书记 of `village_id` (but not the member `besides`, who is the subject), else the admins."""
        found = [m for m in self.secretaries.get(village_id, []) if m.id != besides] if village_id else []
        return found or self.admins.get(township_id, [])


class OrgRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # townships and villages -------------------------------------------------------------
    def township_named(self, name: str) -> Township | None:
        return self.session.scalar(select(Township).where(Township.name == name))

    def get_or_create_township(self, name: str) -> Township:
        township = self.township_named(name)
        if township is None:
            township = Township(name=name)
            self.session.add(township)
            self.session.flush()
        return township

    def village_named(self, name: str, township_id: int | None = None) -> Village | None:
        query = select(Village).where(Village.name == name)
        if township_id is not None:
            query = query.where(Village.township_id == township_id)
        return self.session.scalars(query.order_by(Village.id)).first()

    def get_or_create_village(self, township: Township, name: str) -> Village:
        village = self.village_named(name, township.id)
        if village is None:
            village = Village(township_id=township.id, name=name)
            self.session.add(village)
            self.session.flush()
        return village

    def villages(self, township_id: int) -> list[Village]:
        return list(self.session.scalars(select(Village).where(Village.township_id == township_id).order_by(Village.id)))

    # group chats ---------------------------------------------------------------------------
    def group(self, platform: str, chat_id: str) -> GroupChat | None:
        return self.session.scalar(
            select(GroupChat).where(GroupChat.platform == platform, GroupChat.chat_id == chat_id)
        )

    def bind_group(
        self, platform: str, chat_id: str, township: Township, village: Village | None, title: str = ""
    ) -> GroupChat:
        group = self.group(platform, chat_id)
        if group is None:
            group = GroupChat(platform=platform, chat_id=chat_id)
            self.session.add(group)
        group.township_id = township.id
        group.village_id = village.id if village else None
        group.title = title or (village.name if village else township.name)
        self.session.flush()
        return group

    def groups_of_village(self, village_id: int) -> list[GroupChat]:
        return list(self.session.scalars(select(GroupChat).where(GroupChat.village_id == village_id)))

    def groups_of_villages(self, village_ids: Iterable[int]) -> dict[int, list[GroupChat]]:
        """The group chats of many villages (village id -> its groups), in one query."""
        groups: dict[int, list[GroupChat]] = defaultdict(list)
        query = select(GroupChat).where(GroupChat.village_id.in_(set(village_ids))).order_by(GroupChat.id)
        for group in self.session.scalars(query):
            groups[group.village_id].append(group)
        return dict(groups)

    def township_groups(self, township_id: int) -> list[GroupChat]:
        return list(
            self.session.scalars(
                select(GroupChat).where(GroupChat.township_id == township_id, GroupChat.village_id.is_(None))
            )
        )

    # members and identities ----------------------------------------------------------------
    def member_by_identity(self, platform: str, user_id: str) -> Member | None:
        return self.session.scalar(
            select(Member)
            .join(Identity, Identity.member_id == Member.id)
            .where(Identity.platform == platform, Identity.user_id == user_id, Member.active.is_(True))
        )

    def identity(self, platform: str, user_id: str) -> Identity | None:
        return self.session.scalar(select(Identity).where(Identity.platform == platform, Identity.user_id == user_id))

    def identity_of(self, member_id: int, platform: str) -> Identity | None:
        return self.session.scalar(
            select(Identity).where(Identity.member_id == member_id, Identity.platform == platform)
        )

    def user_ids(self, member_ids: list[int], platform: str) -> dict[int, str]:
        """Platform user ids of the given members; members without an account are left out."""
        if not member_ids:
            return {}
        rows = self.session.execute(
            select(Identity.member_id, Identity.user_id).where(
                Identity.member_id.in_(member_ids), Identity.platform == platform
            )
        )
        return {key: value for key, value in rows}

    def names(self, member_ids: list[int]) -> dict[int, str]:
        if not member_ids:
            return {}
        rows = self.session.execute(select(Member.id, Member.name).where(Member.id.in_(member_ids)))
        return {key: value for key, value in rows}

    def set_identity(self, member: Member, platform: str, user_id: str) -> Identity:
        """Link (or re-link) a member's account on a platform."""
        identity = self.identity_of(member.id, platform)
        if identity is None:
            identity = Identity(member_id=member.id, platform=platform, user_id=user_id)
            self.session.add(identity)
        identity.user_id = user_id
        self.session.flush()
        return identity

    def member(self, member_id: int) -> Member | None:
        return self.session.get(Member, member_id)

    def members_by_id(self, member_ids: Iterable[int]) -> dict[int, Member]:
        """Many members by id, in one query (ids no longer on the roster are left out)."""
        ids = set(member_ids)
        if not ids:
            return {}
        return {m.id: m for m in self.session.scalars(select(Member).where(Member.id.in_(ids)))}

    def member_named(self, name: str, *, township_id: int, village_id: int | None = None) -> list[Member]:
        query = select(Member).where(Member.township_id == township_id, Member.name == name, Member.active.is_(True))
        if village_id is not None:
            query = query.where(Member.village_id == village_id)
        return list(self.session.scalars(query.order_by(Member.id)))

    def find_member(self, township_id: int, village_id: int | None, name: str) -> Member | None:
        query = select(Member).where(Member.township_id == township_id, Member.name == name)
        query = query.where(Member.village_id.is_(None) if village_id is None else Member.village_id == village_id)
        return self.session.scalar(query)

    def members_of_village(self, village_id: int) -> list[Member]:
        return list(
            self.session.scalars(
                select(Member).where(Member.village_id == village_id, Member.active.is_(True)).order_by(Member.id)
            )
        )

    def secretaries_or_admins(self, township_ids: Iterable[int], village_ids: Iterable[int | None]) -> Overseers:
        """Every active 书记 of the villages and admin of the townships, in one query."""
        villages = {v for v in village_ids if v is not None}
        townships = set(township_ids)
        query = select(Member).where(Member.active.is_(True), or_(
            and_(Member.role == Role.SECRETARY.value, Member.village_id.in_(villages)),
            and_(Member.role == Role.ADMIN.value, Member.township_id.in_(townships)),
        ))
        secretaries, admins = defaultdict(list), defaultdict(list)
        for member in self.session.scalars(query.order_by(Member.id)):
            if member.role == Role.ADMIN.value:
                admins[member.township_id].append(member)
            else:
                secretaries[member.village_id].append(member)
        return Overseers(dict(secretaries), dict(admins))

    def admins(self, township_id: int) -> list[Member]:
        return list(
            self.session.scalars(
                select(Member).where(
                    Member.township_id == township_id, Member.role == "管理员", Member.active.is_(True)
                )
            )
        )

    # binding requests ------------------------------------------------------------------------
    def add_binding_request(self, request: BindingRequest) -> BindingRequest:
        self.session.add(request)
        self.session.flush()
        return request

    def binding_request(self, request_id: int) -> BindingRequest | None:
        return self.session.get(BindingRequest, request_id)

    def pending_binding_request(self, platform: str, user_id: str) -> BindingRequest | None:
        return self.session.scalar(
            select(BindingRequest).where(
                BindingRequest.platform == platform,
                BindingRequest.user_id == user_id,
                BindingRequest.status == "pending",
            )
        )
