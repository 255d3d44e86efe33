"""`cadrebot roster export FILE.xlsx`: the roster in the same columns the import reads, so an
office can edit the file and import it again. Every text cell goes through `safe_cell`."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from handlers.spreadsheet import safe_cell
from storage.models import Identity, Member, Township, Village

__all__ = ["EXPORT_COLUMNS", "export_roster"]

EXPORT_COLUMNS = ("乡镇", "村", "姓名", "职务", "小组", "企业微信ID", "钉钉ID", "起始日期")
SHEET = "花名册"
NO_TOWNSHIP = "数据库里没有镇「{name}」。"
WHICH_TOWNSHIP = "数据库里有多个镇（{names}），请用 --township 指定。"


def export_roster(session: Session, path: str | Path, *, township: str | None = None) -> int:
    """Write the active members of the township to `path`; returns how many."""
    chosen = _township(session, township)
    accounts = _accounts(session, chosen.id)
    query = (
        select(Member, Village.name)
        .outerjoin(Village, Village.id == Member.village_id)
        .where(Member.township_id == chosen.id, Member.active.is_(True))
        .order_by(Member.village_id.is_(None), Member.village_id, Member.id)  # villages first, then staff
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.append(list(EXPORT_COLUMNS))
    count = 0
    for member, village in session.execute(query):
        own = accounts.get(member.id, {})
        start = member.start_date.isoformat() if member.start_date else ""
        cells = [chosen.name, village or "", member.name, member.role, member.team or "",
                 own.get("wecom", ""), own.get("dingtalk", ""), start]
        sheet.append([safe_cell(cell) for cell in cells])
        count += 1
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return count


def _accounts(session: Session, township_id: int) -> dict[int, dict[str, str]]:
    query = (
        select(Identity.member_id, Identity.platform, Identity.user_id)
        .join(Member, Member.id == Identity.member_id)
        .where(Member.township_id == township_id)
    )
    accounts: dict[int, dict[str, str]] = {}
    for member_id, platform, user_id in session.execute(query):
        accounts.setdefault(member_id, {})[platform] = user_id
    return accounts


def _township(session: Session, name: str | None) -> Township:
    townships = list(session.scalars(select(Township).order_by(Township.id)))
    if name is not None:
        found = [t for t in townships if t.name == name]
        if not found:
            raise UserError(NO_TOWNSHIP.format(name=name))
        return found[0]
    if len(townships) != 1:
        raise UserError(WHICH_TOWNSHIP.format(names="、".join(t.name for t in townships)))
    return townships[0]
