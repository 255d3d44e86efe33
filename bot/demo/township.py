"""The demo township 芝英镇: four villages and a few dozen members with made-up names."""

from __future__ import annotations

from bot.app import App
from storage.models import Member
from storage.repositories import OrgRepository

TOWNSHIP = "芝英镇"
ADMIN = "吴晓峰"
VILLAGES = {
    "雅庄村": ["应建华", "楼秀芳", "胡国平", "金丽娟", "陈志强", "周敏", "吕晓东", "徐美玲", "黄卫东", "朱红梅", "何建新"],
    "莲湖村": ["刘洋", "赵磊", "施月英", "丁海军", "俞雪芬", "蒋立新", "方小燕", "郑国庆", "杜建平", "沈丽华"],
    "王上店村": ["王志明", "王秀兰", "李伟民", "张春燕", "陈德明", "林素珍", "潘永康", "王小红", "姚建军", "孔晓梅"],
    "古塘里村": ["叶光明", "钱玉兰", "孙立群", "马春生", "卢美华", "程国栋", "邵丽萍", "汪建设", "韩月琴", "曹永福"],
}
# Position in a village's list → role: the first is the secretary, then cadres, party members,
# representatives.
ROLES = ["书记", "村干部", "村干部", "村干部", "村干部", "村干部", "党员", "党员", "党员", "村民代表", "村民代表"]


def seed_township(app: App) -> dict[str, int]:
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        township = org.get_or_create_township(TOWNSHIP)
        uow.session.add(Member(township_id=township.id, village_id=None, name=ADMIN, role="管理员", active=True))
        members = 1
        for village_name, names in VILLAGES.items():
            village = org.get_or_create_village(township, village_name)
            for index, name in enumerate(names):
                team = "两委" if index < 6 else None
                uow.session.add(
                    Member(township_id=township.id, village_id=village.id, name=name, role=ROLES[index], team=team, active=True)
                )
                members += 1
        uow.commit()
    return {"villages": len(VILLAGES), "members": members}
