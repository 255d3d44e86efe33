"""The roster (花名册): importing members from an .xlsx or .csv file.

Columns (Chinese or English headers): 乡镇/township, 村/village, 姓名/name, 职务/role, 小组/team,
企业微信ID/wecom_user_id, 钉钉ID/dingtalk_staff_id, 起始日期/start_date. A re-import updates members
in place; any bad row stops the whole import (the caller commits only a clean one), reported by
row number.

Two halves with one boundary: `read_roster` (file bytes → validated `RosterRow`s; the file
formats are in `handlers.roster_files`) and `import_roster` (rows → database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from bot.contract.hygiene import clean_text, normalize_name
from handlers.roster_files import RosterFileError, read_table
from storage.models import Member, Role
from storage.repositories import OrgRepository

HEADERS = {
    "township": ("乡镇", "镇", "township"),
    "village": ("村", "村名", "village"),
    "name": ("姓名", "name"),
    "role": ("职务", "角色", "role"),
    "team": ("小组", "分组", "team"),
    "wecom": ("企业微信ID", "企业微信id", "wecom_user_id", "wecom"),
    "dingtalk": ("钉钉ID", "钉钉id", "dingtalk_staff_id", "dingtalk"),
    "start": ("起始日期", "开始日期", "start_date", "start"),
}
REQUIRED = ("township", "name", "role")
NAMES = ("township", "village", "name")  # normalised as chat lookups are (bot.contract.hygiene)
MAX_LENGTHS = {"township": 64, "village": 64, "name": 32, "team": 32, "wecom": 128, "dingtalk": 128}
ROLES = {role.value for role in Role}
PLATFORM_COLUMNS = {"wecom": "wecom", "dingtalk": "dingtalk"}


class RosterError(Exception):
    """The file cannot be imported; `problems` lists (row number, Chinese message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"第 {row} 行：{text}" if row else text for row, text in problems))


@dataclass(frozen=True)
class RosterRow:
    line: int
    township: str
    village: str | None
    name: str
    role: str
    team: str | None
    accounts: dict[str, str] = field(default_factory=dict)  # platform -> user id
    start: date | None = None  # 起始日期: the day attendance counting starts

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.township, self.village, self.name)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created} 人，更新 {self.updated} 人"


def read_roster(path: str | Path) -> list[RosterRow]:
    """Read and validate every row; raise RosterError naming all bad rows."""
    try:
        table = read_table(Path(path))
    except RosterFileError as error:
        raise RosterError(error.problems) from None
    if not table:
        raise RosterError([(1, "文件是空的")])
    columns = _map_headers(table[0][1])
    rows, problems = [], []
    for line, cells in table[1:]:
        if not any(str(c or "").strip() for c in cells):
            continue
        row, problem = _parse_row(line, cells, columns)
        if problem:
            problems.append((line, problem))
        else:
            rows.append(row)
    problems += _duplicates_in_file(rows)
    if problems:
        raise RosterError(problems)
    return rows


def import_roster(session: Session, path: str | Path, *, today: date | None = None) -> ImportReport:
    """Create or update members from the file. Does not commit; raises RosterError on any bad row.
    `today` (the clock's) is the start date of new members without a 起始日期, and the day a
    township imported for the first time started using the bot."""
    rows = read_roster(path)
    org = OrgRepository(session)
    report, problems = ImportReport(), []
    for row in rows:
        problem = _apply(org, row, report, today)
        if problem:
            problems.append((row.line, problem))
    if problems:
        raise RosterError(problems)
    session.flush()
    return report


def _apply(org: OrgRepository, row: RosterRow, report: ImportReport, today: date | None = None) -> str | None:
    township = org.get_or_create_township(row.township)
    if township.started_on is None:
        township.started_on = today
    village = org.get_or_create_village(township, row.village) if row.village else None
    member = org.find_member(township.id, village.id if village else None, row.name)
    if member is None:
        member = Member(township_id=township.id, village_id=village.id if village else None, name=row.name,
                        start_date=row.start or today)
        org.session.add(member)
        report.created += 1
    else:
        report.updated += 1
    member.role, member.team, member.active = row.role, row.team, True
    if row.start is not None:
        member.start_date = row.start
    org.session.flush()
    for platform, user_id in row.accounts.items():
        holder = org.identity(platform, user_id)
        if holder is not None and holder.member_id != member.id:
            return f"{platform} 账号 {user_id} 已属于 {holder.member.name}"
        org.set_identity(member, platform, user_id)
    return None


def _map_headers(header: list[str]) -> dict[str, int]:
    columns = {}
    for index, title in enumerate(header):
        title = str(title or "").strip()
        for key, names in HEADERS.items():
            if title in names:
                columns[key] = index
    missing = [HEADERS[k][0] for k in REQUIRED if k not in columns]
    if missing:
        raise RosterError([(1, f"表头缺少：{'、'.join(missing)}")])
    return columns


def _parse_row(line: int, cells: list[str], columns: dict[str, int]) -> tuple[RosterRow | None, str | None]:
    def get(key: str) -> str:
        index = columns.get(key)
        value = str(cells[index]) if index is not None and index < len(cells) else ""
        return normalize_name(value) if key in NAMES else clean_text(value)

    township, name, role, start_text = get("township"), get("name"), get("role"), get("start")
    if not township:
        return None, "缺少乡镇"
    if not name:
        return None, "缺少姓名"
    for key, limit in MAX_LENGTHS.items():
        if len(get(key)) > limit:
            return None, f"{HEADERS[key][0]}太长（最多 {limit} 个字）"
    if role not in ROLES:
        return None, f"职务「{role}」不对，应为：{'、'.join(sorted(ROLES))}"
    start = _start_date(start_text) if start_text else None
    if start_text and start is None:
        return None, f"起始日期「{start_text}」不对，应写成 2026-11-16 这样"
    accounts = {PLATFORM_COLUMNS[k]: get(k) for k in PLATFORM_COLUMNS if get(k)}
    row = RosterRow(line, township, get("village") or None, name, role, get("team") or None, accounts, start)
    return row, None


def _start_date(text: str) -> date | None:
    """2026-11-16, 2026/11/16, 2026.11.16 or 2026年11月16日 (a time after it is ignored)."""
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    cleaned = text.split(" ")[0].replace("年", "-").replace("月", "-").replace("日", "")
    cleaned = cleaned.replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in cleaned.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


def _duplicates_in_file(rows: list[RosterRow]) -> list[tuple[int, str]]:
    problems, seen_keys, seen_accounts = [], {}, {}
    for row in rows:
        if row.key in seen_keys:
            problems.append((row.line, f"与第 {seen_keys[row.key]} 行重复（{row.village or row.township} {row.name}）"))
        seen_keys.setdefault(row.key, row.line)
        for platform, user_id in row.accounts.items():
            first = seen_accounts.setdefault((platform, user_id), row.line)
            if first != row.line:
                problems.append((row.line, f"{platform} 账号 {user_id} 与第 {first} 行相同"))
    return problems
