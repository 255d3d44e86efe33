"""The demo township 芝英镇: four villages and a few dozen members with made-up names."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bot.app import App
from bot.clock import TZ
from handlers.workdays import calendar_for
from storage.models import Checkin, Member
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


# Workdays each of these demo cadres did not check in this month before the demo morning (the
# latest ones), so the month report shows every colour: 2 missed → yellow, 3 → red, more than 3 →
# flagged; 胡国平 forgot yesterday and gets a 补卡 in the attendance scene.
MISSED_BEFORE_DEMO = {"胡国平": 1, "金丽娟": 2, "陈志强": 3, "周敏": 5, "丁海军": 4}


def seed_month_history(app: App, today: date) -> int:
    """Check-ins of every member of the demo villages on the month's workdays before `today`,
    at 08:0x, less the misses above. Returns how many were stored."""
    calendar = calendar_for(app.settings, "芝英镇")
    workdays = calendar.workdays(today.replace(day=1), today - timedelta(days=1))
    stored = 0
    with app.unit_of_work() as uow:
        members = uow.session.scalars(select(Member).where(Member.village_id.is_not(None))).all()
        for member in members:
            missed = MISSED_BEFORE_DEMO.get(member.name, 0)
            skipped = set(workdays[len(workdays) - missed:])
            for index, day in enumerate(workdays):
                if day in skipped:
                    continue
                at = datetime.combine(day, time(8, (member.id + index) % 10), tzinfo=TZ)
                uow.session.add(Checkin(member_id=member.id, day=day, checked_at=at, late=False, village_id=member.village_id, source="demo"))
                stored += 1
        uow.commit()
    return stored
