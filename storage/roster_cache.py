"""Who is speaking and in which group, cached per process.

A burst of `/打卡` asks the same two questions thousands of times: which member is behind this
platform account, and which group is this chat. The answers change only when the roster does, so
each process keeps them in memory and checks them against the database's roster version once per
transaction (one primary-key read). Every ORM flush that touches a township, village, group,
member or account bumps that version in the same transaction and clears this process's cache at
once; bulk writes that bypass the ORM call `bump_roster_version` themselves. So another worker's
change is seen by the first transaction that starts after it committed.

Cached values are plain column snapshots, never live objects: each transaction gets its own
instance, attached to its session without a query (`make_transient_to_detached`), so relationships
such as `member.village` still load lazily and nothing leaks between sessions or threads.
"""

from __future__ import annotations

import threading
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, event, or_, select, update
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from storage.inserts import core_connection, forget_connection, insert_if_new
from storage.models import GroupChat, Identity, Member, RosterVersion, Township, Village

__all__ = ["RosterCache", "bump_roster_version", "track_roster_changes"]

ROSTER_CLASSES = (Township, Village, GroupChat, Member, Identity)
_VERSION_ROW = 1
_CHECKED = "roster_cache_checked"  # session.info flag: version read in this transaction
T = TypeVar("T")
_MISSING = object()

_VERSION = select(RosterVersion.number).where(RosterVersion.id == _VERSION_ROW)
_GROUP_BY_CHAT = select(GroupChat).where(GroupChat.platform == bindparam("platform"), GroupChat.chat_id == bindparam("chat"))
_MEMBERS_BY_ACCOUNT = (
    select(Identity.user_id, Member)
    .join(Identity, Identity.member_id == Member.id)
    .where(
        Identity.platform == bindparam("platform"),
        Member.active.is_(True),
        or_(Identity.user_id == bindparam("user"), Member.village_id == bindparam("village")),
    )
)


class RosterCache:
    def __init__(self) -> None:
        self._members: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._groups: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._version: int | None = None
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._members, self._groups, self._version = {}, {}, None

    def member(self, session: Session, platform: str, user_id: str, village_id: int | None = None) -> Member | None:
        """The active member behind a platform account, or None.

        On a miss, the accounts of `village_id` (the village of the group the message came from)
        are loaded along in the same query: its other cadres are about to check in too.
        """
        self._check(session)
        values = self._members.get((platform, user_id), _MISSING)
        if values is not _MISSING:
            return _attach(session, Member, values)
        found = {
            row.user_id: row.Member
            for row in session.execute(_MEMBERS_BY_ACCOUNT, {"platform": platform, "user": user_id, "village": village_id})
        }
        for other, member in found.items():
            self._remember(session, "_members", (platform, other), member)
        member = found.get(user_id)
        self._remember(session, "_members", (platform, user_id), member)
        return member

    def group(self, session: Session, platform: str, chat_id: str) -> GroupChat | None:
        """The bound group chat, or None."""
        self._check(session)
        values = self._groups.get((platform, chat_id), _MISSING)
        if values is not _MISSING:
            return _attach(session, GroupChat, values)
        group = session.scalar(_GROUP_BY_CHAT, {"platform": platform, "chat": chat_id})
        self._remember(session, "_groups", (platform, chat_id), group)
        return group

    def _check(self, session: Session) -> None:
        if _CHECKED in session.info:
            return
        version = core_connection(session).scalar(_VERSION)
        session.info[_CHECKED] = version
        if version is None or version != self._version:
            with self._lock:
                self._members, self._groups, self._version = {}, {}, version

    def _remember(self, session: Session, table: str, key: tuple[str, str], obj) -> None:
        """Keep an answer only while the cache still holds the version this transaction saw: a
        change committed meanwhile (here or in another worker) must not be cached under a newer one."""
        with self._lock:
            seen = session.info.get(_CHECKED)
            if seen is not None and seen == self._version:
                getattr(self, table)[key] = _snapshot(obj)


def track_roster_changes(session_factory: sessionmaker[Session], cache: RosterCache) -> None:
    """Bump the roster version on every flush that changes roster rows, and forget the version
    check at the end of each transaction."""

    @event.listens_for(session_factory, "before_flush")
    def _bump(session: Session, _context, _instances) -> None:
        changed = chain(session.new, session.dirty, session.deleted)
        if any(isinstance(obj, ROSTER_CLASSES) for obj in changed):
            bump_roster_version(session.connection())
            cache.clear()

    @event.listens_for(session_factory, "after_transaction_end")
    def _forget(session: Session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(_CHECKED, None)
            forget_connection(session)


def bump_roster_version(connection: Connection) -> None:
    """Tell every worker that the roster changed (in the caller's transaction)."""
    result = connection.execute(
        update(RosterVersion).where(RosterVersion.id == _VERSION_ROW).values(number=RosterVersion.number + 1)
    )
    if result.rowcount == 0:  # the row is gone (a test truncated every table): start it again
        insert_if_new(connection, RosterVersion.__table__, {"id": _VERSION_ROW, "number": 1}, ("id",))


def _snapshot(obj) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {attr.key: getattr(obj, attr.key) for attr in obj.__mapper__.column_attrs}


def _attach(session: Session, cls: type[T], values: dict[str, Any] | None) -> T | None:
    if values is None:
        return None
    existing = session.identity_map.get(session.identity_key(cls, values["id"]))
    if existing is not None:
        return existing
    obj = cls.__mapper__.class_manager.new_instance()  # as the ORM builds a loaded row: no events
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj
