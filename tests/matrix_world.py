"""The standard world plus what the permission matrix and the fuzz test need: every actor has a
WeCom account, 莲湖村 has a WeCom group too, and another township (外镇) has its own admin."""

from __future__ import annotations

from sqlalchemy import select

from storage.base import Base
from storage.models import Member
from storage.repositories import OrgRepository
from tests.factories import World, build_world

# actor -> (WeCom account, role as the matrix sees it)
ACTORS = {
    "member": "chenj",  # 陈静 党员, 雅庄村
    "cadre": "lixy",  # 李秀英 村干部, 雅庄村
    "secretary": "zhangjg",  # 张建国 书记, 雅庄村
    "other_secretary": "liuy-wx",  # 刘洋 书记, 莲湖村
    "admin": "sunli",  # 孙丽 管理员, 芝英镇
    "other_admin": "wai-admin",  # 吴海 管理员, 外镇
    "unbound": "stranger",  # nobody on any roster
}
PLACES = {
    "own_village": "wx-yazhuang",
    "other_village": "wx-lianhu",
    "township": "wx-zhiying",
    "private": "user:private-chat",
}
# tables a refused call may touch: the processed-id mark and the reply itself
BOOKKEEPING = {"processed_messages", "outbox"}


def build_matrix_world(app) -> World:
    world = build_world(app)
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        township = org.get_or_create_township("芝英镇")
        lianhu = org.village_named("莲湖村", township.id)
        org.bind_group("wecom", "wx-lianhu", township, lianhu)
        liuy = uow.session.get(Member, world.members["刘洋"])
        org.set_identity(liuy, "wecom", "liuy-wx")
        other = org.get_or_create_township("外镇")
        admin = Member(township_id=other.id, village_id=None, name="吴海", role="管理员", active=True)
        uow.session.add(admin)
        uow.session.flush()
        org.set_identity(admin, "wecom", "wai-admin")
        org.bind_group("wecom", "wx-waizhen", other, None)
        uow.commit()
    return world


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table but the bookkeeping ones, to prove a refused call stored nothing."""
    rows = {}
    with app.unit_of_work() as uow:
        for table in Base.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows[table.name] = sorted(tuple(map(repr, r)) for r in uow.session.execute(select(table)).all())
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]
