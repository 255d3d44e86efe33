"""Demo scene for minutes, resolutions and votes: the kindergarten evening of issue 6.

The village secretary pastes the meeting's outcome, confirms it, runs a quick vote, the township
admin publishes the resolution, and a cadre searches for it. Names come from the seeded roster.
"""

from __future__ import annotations

from typing import TextIO

from sqlalchemy import select

from bot.adapters.console import ConsoleChat
from storage.models import Member, Role, Village

KINDERGARTEN = (
    "今晚19时召开党员和村民代表会议，34人参加，19时34分结束，"
    "100%同意将村里3000余平方米集体土地用于筹建公办幼儿园"
)


def run_scene(app, clock, out: TextIO) -> None:
    secretary, others, admin, township = _cast(app, "雅庄村")
    out.write("\n—— 晚上：会议决议、现场表决、审核公开 ——\n")
    clock.set(clock.now().replace(hour=19, minute=36))
    village = ConsoleChat(app, "雅庄村", out=out)
    village.say(KINDERGARTEN, as_name=secretary)
    village.say("/修改 应到 36", as_name=secretary)
    village.say("/确认", as_name=secretary)
    clock.advance(minutes=2)
    village.say("/表决 是否同意由村委会负责幼儿园用地的青苗补偿 截止 30分钟", as_name=secretary)
    for name, answer in zip([secretary, *others], ["/同意", "/同意", "/反对", "/同意"]):
        village.say(answer, as_name=name)
    if len(others) >= 2:
        village.say("/同意", as_name=others[1])  # changes a vote before the close
    village.say("/结束表决", as_name=secretary)
    if admin and township:
        clock.advance(minutes=10)
        ConsoleChat(app, township, out=out).say("/公开 1", as_name=admin)
    village.say("/查 幼儿园", as_name=others[0] if others else secretary)


def _cast(app, village_name: str) -> tuple[str, list[str], str | None, str | None]:
    """The village's secretary, up to three other members, and the township admin (if any)."""
    with app.unit_of_work() as uow:
        village = uow.session.scalar(select(Village).where(Village.name == village_name))
        members = list(
            uow.session.scalars(select(Member).where(Member.village_id == village.id, Member.active.is_(True)).order_by(Member.id))
        )
        secretary = next((m.name for m in members if m.role == Role.SECRETARY.value), members[0].name)
        others = [m.name for m in members if m.name != secretary][:3]
        admin = uow.session.scalar(
            select(Member.name).where(Member.township_id == village.township_id, Member.role == Role.ADMIN.value)
        )
        return secretary, others, admin, village.township.name
