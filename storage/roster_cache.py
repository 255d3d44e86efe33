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

from sqlalchemy import Connection, bindparam, event, inspect, select, update
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from storage.driver import DriverStatement
from storage.inserts import core_connection, forget_connection, insert_if_new
from storage.models import GroupChat, Identity, Member, RosterVersion, Township, Village

__all__ = ["RosterCache", "bump_roster_version", "track_roster_changes"]

ROSTER_CLASSES = (Township, Village, GroupChat, Member, Identity)
_VERSION_ROW = 1
_CHECKED = "roster_cache_checked"  # session.info flag: version read in this transaction
_ATTACHED = "roster_cache_attached"  # session.info: {(class, id): instance} handed out in this transaction
T = TypeVar("T")
_MISSING = object()

_VERSION = DriverStatement(select(RosterVersion.number).where(RosterVersion.id == bindparam("row")))


def _columns(cls) -> list:
    """A model's columns labelled with their attribute names: a row is then a ready snapshot."""
    return [attr.columns[0].label(attr.key) for attr in cls.__mapper__.column_attrs]


_GROUP_BY_CHAT = select(*_columns(GroupChat)).where(
    GroupChat.platform == bindparam("platform"), GroupChat.chat_id == bindparam("chat")
)
_ACCOUNT = "_account"
_MEMBER_ROWS = select(Identity.user_id.label(_ACCOUNT), *_columns(Member)).join_from(
    Member, Identity, Identity.member_id == Member.id
).where(Identity.platform == bindparam("platform"), Member.active.is_(True))
# two indexed look-ups, not one query with an OR across both tables (which scans every account)
_MEMBERS_OF_VILLAGE = _MEMBER_ROWS.where(Member.village_id == bindparam("village"))
_MEMBER_BY_ACCOUNT = _MEMBER_ROWS.where(Identity.user_id == bindparam("user"))


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
        found = {}
        if village_id is not None:
            found = _accounts(session, _MEMBERS_OF_VILLAGE, {"platform": platform, "village": village_id})
        if user_id not in found:
            found.update(_accounts(session, _MEMBER_BY_ACCOUNT, {"platform": platform, "user": user_id}))
        for other, values in found.items():
            self._remember(session, "_members", (platform, other), values)
        values = found.get(user_id)
        self._remember(session, "_members", (platform, user_id), values)
        return _attach(session, Member, values)

    def group(self, session: Session, platform: str, chat_id: str) -> GroupChat | None:
        """The bound group chat, or None."""
        self._check(session)
        values = self._groups.get((platform, chat_id), _MISSING)
        if values is not _MISSING:
            return _attach(session, GroupChat, values)
        row = core_connection(session).execute(_GROUP_BY_CHAT, {"platform": platform, "chat": chat_id}).mappings().first()
        values = dict(row) if row is not None else None
        self._remember(session, "_groups", (platform, chat_id), values)
        return _attach(session, GroupChat, values)

    def _check(self, session: Session) -> None:
        if _CHECKED in session.info:
            return
        version = _VERSION.scalar(core_connection(session), {"row": _VERSION_ROW})
        session.info[_CHECKED] = version
        if version is None or version != self._version:
            with self._lock:
                self._members, self._groups, self._version = {}, {}, version

    def _remember(self, session: Session, table: str, key: tuple[str, str], values: dict[str, Any] | None) -> None:
        """Keep an answer only while the cache still holds the version this transaction saw: a
        change committed meanwhile (here or in another worker) must not be cached under a newer one."""
        with self._lock:
            seen = session.info.get(_CHECKED)
            if seen is not None and seen == self._version:
                getattr(self, table)[key] = values


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
            session.info.pop(_ATTACHED, None)
            forget_connection(session)


def bump_roster_version(connection: Connection) -> None:
    """Tell every worker that the roster changed (in the caller's transaction)."""
    result = connection.execute(
        update(RosterVersion).where(RosterVersion.id == _VERSION_ROW).values(number=RosterVersion.number + 1)
    )
    if result.rowcount == 0:  # the row is gone (a test truncated every table): start it again
        insert_if_new(connection, RosterVersion.__table__, {"id": _VERSION_ROW, "number": 1}, ("id",))


def _accounts(session: Session, query, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{platform account: member snapshot} of the query's rows."""
    found = {}
    for row in core_connection(session).execute(query, values).mappings():
        snapshot = dict(row)
        found[snapshot.pop(_ACCOUNT)] = snapshot
    return found


def _attach(session: Session, cls: type[T], values: dict[str, Any] | None) -> T | None:
    """This transaction's instance of a cached row. Instances handed out are kept for the whole
    transaction (the identity map holds them only weakly): the 15 check-ins of a village in one
    batch share one group instance instead of building it 15 times."""
    if values is None:
        return None
    attached = session.info.get(_ATTACHED)
    if attached is None:
        attached = session.info[_ATTACHED] = {}
    key = (cls, values["id"])
    obj = attached.get(key)
    if obj is None:
        obj = attached[key] = _instance(session, cls, values)
    return obj


def _instance(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    existing = session.identity_map.get(cls.__mapper__.identity_key_from_primary_key((values["id"],)))
    if existing is not None:
        return existing
    obj = cls.__mapper__.class_manager.new_instance()  # as the ORM builds a loaded row: no events
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    _add_without_cascade(session, obj)
    return obj


def _add_without_cascade(session: Session, obj) -> None:
    """`session.add(obj)` without walking the save-update cascade of every relationship: a snapshot
    has no related object loaded, so the walk finds nothing, yet it cost a sixth of a `/打卡`.
    SQLAlchemy has no public call for "attach this detached object alone"; `_update_impl` is the
    step of `Session.add` that does it, and `session.add` is the fallback should it ever go
    (tests/test_roster_cache.py checks the instance is persistent and loads its relationships)."""
    attach = getattr(session, "_update_impl", None)
    if attach is None:
        session.add(obj)
    else:
        attach(inspect(obj))
