"""Writing a validated roster to the database in bulk: townships, villages, members and their
platform accounts, with SQLAlchemy Core `executemany` (insertmanyvalues) instead of one ORM flush
per row. 300,000 members take seconds, not the hours the row-by-row path took.

All in the caller's transaction: nothing is committed here, and an account that already belongs to
another member raises `AccountsTaken` after checking every row, so the caller rolls back the whole
file. Only rows that change are written, so re-importing the same file is mostly reading. The roster
version is bumped (storage/roster_cache.py) so every worker forgets its cached look-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Mapping, Protocol, Sequence

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage.inserts import core_connection
from storage.models import Identity, Member, Township, Village
from storage.roster_cache import ROSTER_CLASSES, bump_roster_version

__all__ = ["AccountTaken", "AccountsTaken", "ROSTER_TABLES", "RosterEntry", "WriteReport", "write_roster"]

# after an import commits: refresh their planner statistics (storage.db.refresh_statistics)
ROSTER_TABLES = tuple(cls.__tablename__ for cls in ROSTER_CLASSES)
CHUNK = 5000  # rows per executemany call (and per progress step)
Progress = Callable[[str, int, int], None]  # (phase, done, total)


class RosterEntry(Protocol):
    """One validated roster row, as the reader (handlers/roster.py) produces it."""

    line: int
    township: str
    village: str | None
    name: str
    role: str
    team: str | None
    accounts: Mapping[str, str]  # platform -> user id
    start: date | None  # 起始日期: the day attendance counting starts, if the file gives one


@dataclass(frozen=True)
class AccountTaken:
    line: int
    platform: str
    user_id: str
    holder: str  # name of the member who has the account now


class AccountsTaken(Exception):
    def __init__(self, taken: list[AccountTaken]) -> None:
        super().__init__(f"{len(taken)} accounts belong to other members")
        self.taken = taken


@dataclass
class WriteReport:
    created: int = 0
    updated: int = 0


def write_roster(
    session: Session, rows: Sequence[RosterEntry], progress: Progress | None = None, *, today: date | None = None
) -> WriteReport:
    """Create or update every row's member and accounts (no commit).

    `today` is the start date of new members whose row gives none, and the day a township that
    had never imported started using the bot (`townships.started_on`)."""
    progress = progress or (lambda phase, done, total: None)
    connection = core_connection(session)
    # dicts, not sets: new townships and villages get their ids in the order the file names them
    townships = _ensure_townships(connection, dict.fromkeys(row.township for row in rows))
    if today is not None:
        connection.execute(
            update(Township)
            .where(Township.id.in_(list(townships.values())), Township.started_on.is_(None))
            .values(started_on=today)
        )
    villages = _ensure_villages(connection, dict.fromkeys((townships[r.township], r.village) for r in rows if r.village))
    report, members = _write_members(connection, rows, townships, villages, progress, today)
    _write_accounts(connection, rows, members, progress)
    bump_roster_version(connection)
    return report


def _ensure_townships(connection: Connection, names: dict[str, None]) -> dict[str, int]:
    query = select(Township.name, Township.id).where(Township.name.in_(list(names)))
    known = dict(connection.execute(query).all())
    missing = [{"name": name} for name in names if name not in known]
    if missing:
        connection.execute(insert(Township), missing)
        known = dict(connection.execute(query).all())
    return known


def _ensure_villages(connection: Connection, wanted: dict[tuple[int, str], None]) -> dict[tuple[int, str], int]:
    township_ids = {township_id for township_id, _ in wanted}
    query = select(Village.township_id, Village.name, Village.id).where(Village.township_id.in_(township_ids))
    known = {(t, name): id_ for t, name, id_ in connection.execute(query)}
    missing = [{"township_id": t, "name": name} for t, name in wanted if (t, name) not in known]
    _insert_rows(connection, Village, missing, lambda done: None)
    if missing:
        known = {(t, name): id_ for t, name, id_ in connection.execute(query)}
    return known


MemberKey = tuple[int, "int | None", str]


def _write_members(
    connection: Connection,
    rows: Sequence[RosterEntry],
    townships: dict[str, int],
    villages: dict[tuple[int, str], int],
    progress: Progress,
    today: date | None,
) -> tuple[WriteReport, dict[int, int]]:
    """Insert new members, update changed ones; return the report and {row line: member id}."""
    existing = _members_of(connection, set(townships.values()))
    report, keys, inserts, updates = WriteReport(), {}, [], []
    for row in rows:
        township_id = townships[row.township]
        key = (township_id, villages[(township_id, row.village)] if row.village else None, row.name)
        keys[row.line] = key
        current = existing.get(key)
        if current is None:
            report.created += 1
            inserts.append(
                {"township_id": key[0], "village_id": key[1], "name": row.name, "role": row.role,
                 "team": row.team, "active": True, "start_date": row.start or today}
            )
        else:
            report.updated += 1
            start = row.start if row.start is not None else current[4]  # a row without 起始日期 keeps it
            if current[1:] != (row.role, row.team, True, start):
                updates.append(
                    {"b_id": current[0], "b_role": row.role, "b_team": row.team, "b_active": True, "b_start_date": start}
                )
    _insert_rows(connection, Member, inserts, lambda done: progress("members", done, len(rows)))
    _update_rows(connection, _UPDATE_MEMBER, updates, lambda done: progress("members", len(inserts) + done, len(rows)))
    progress("members", len(rows), len(rows))
    if inserts:
        existing = _members_of(connection, set(townships.values()))
    return report, {line: existing[key][0] for line, key in keys.items()}


_UPDATE_MEMBER = (
    update(Member)
    .where(Member.id == bindparam("b_id"))
    .values(
        role=bindparam("b_role"), team=bindparam("b_team"), active=bindparam("b_active"),
        start_date=bindparam("b_start_date"),
    )
)
_UPDATE_IDENTITY = update(Identity).where(Identity.id == bindparam("b_id")).values(user_id=bindparam("b_user_id"))


def _members_of(connection: Connection, township_ids: set[int]) -> dict[MemberKey, tuple]:
    query = select(
        Member.township_id, Member.village_id, Member.name, Member.id, Member.role, Member.team, Member.active,
        Member.start_date,
    ).where(Member.township_id.in_(township_ids))
    return {(t, v, name): tuple(rest) for t, v, name, *rest in connection.execute(query)}


def _write_accounts(
    connection: Connection, rows: Sequence[RosterEntry], members: dict[int, int], progress: Progress
) -> None:
    platforms = {platform for row in rows for platform in row.accounts}
    if not platforms:
        return
    query = select(Identity.id, Identity.member_id, Identity.platform, Identity.user_id).where(
        Identity.platform.in_(platforms)
    )
    by_account, by_member = {}, {}
    for id_, member_id, platform, user_id in connection.execute(query):
        by_account[(platform, user_id)] = member_id
        by_member[(member_id, platform)] = (id_, user_id)
    taken, inserts, updates = [], [], []
    for row in rows:
        member_id = members[row.line]
        for platform, user_id in row.accounts.items():
            holder = by_account.get((platform, user_id))
            if holder is not None and holder != member_id:
                taken.append((row.line, platform, user_id, holder))
                continue
            mine = by_member.get((member_id, platform))
            if mine is None:
                inserts.append({"member_id": member_id, "platform": platform, "user_id": user_id})
            elif mine[1] != user_id:
                updates.append({"b_id": mine[0], "b_user_id": user_id})
    if taken:
        raise AccountsTaken(_with_names(connection, taken))
    total = len(inserts) + len(updates)
    _update_rows(connection, _UPDATE_IDENTITY, updates, lambda done: progress("accounts", done, total))
    _insert_rows(connection, Identity, inserts, lambda done: progress("accounts", len(updates) + done, total))


def _with_names(connection: Connection, taken: list[tuple[int, str, str, int]]) -> list[AccountTaken]:
    names = dict(connection.execute(select(Member.id, Member.name).where(Member.id.in_({t[3] for t in taken}))).all())
    return [AccountTaken(line, platform, user_id, names.get(holder, "")) for line, platform, user_id, holder in taken]


def _insert_rows(connection: Connection, model, rows: list[dict], advanced: Callable[[int], None]) -> None:
    """Insert many rows: COPY on PostgreSQL (psycopg's client-side parsing of huge multi-row
    INSERTs costs more than the server's work), executemany elsewhere."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        done = 0
        for chunk in _chunks(rows):
            connection.execute(insert(model), chunk)
            done += len(chunk)
            advanced(done)
        return
    columns = list(rows[0])
    copy_sql = f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for done, row in enumerate(rows, 1):
            copy.write_row([row[column] for column in columns])
            if done % CHUNK == 0:
                advanced(done)
    advanced(len(rows))


def _update_rows(connection: Connection, statement, rows: list[dict], advanced: Callable[[int], None]) -> None:
    """Update many rows by id: on PostgreSQL COPY into a temporary table and one UPDATE … FROM."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        done = 0
        for chunk in _chunks(rows):
            connection.execute(statement, chunk)
            done += len(chunk)
            advanced(done)
        return
    table = statement.table.name
    columns = [key[2:] for key in rows[0] if key != "b_id"]  # b_role -> role: the bind names are b_<column>
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE roster_changes ON COMMIT DROP AS SELECT id, {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY roster_changes (id, {', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row["b_id"], *(row[f"b_{c}"] for c in columns)])
        assignments = ", ".join(f"{c} = roster_changes.{c}" for c in columns)
        cursor.execute(f"UPDATE {table} SET {assignments} FROM roster_changes WHERE {table}.id = roster_changes.id")
        cursor.execute("DROP TABLE roster_changes")
    advanced(len(rows))


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
