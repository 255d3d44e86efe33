"""Demo scene for attendance (考勤): a cadre asks for leave and the 书记 approves it, the 书记
corrects a forgotten check-in, the 09:00 reminder @s who has not checked in, and the 书记 looks
at the village's month. Called by the demo after the morning check-ins."""

from __future__ import annotations

from datetime import timedelta
from typing import TextIO

from sqlalchemy import func, select

from bot.adapters.console import ConsoleChat
from bot.app import App
from bot.clock import ManualClock
from scheduler import runtime
from scheduler.attendance_jobs import send_checkin_reminders
from storage.models import LeaveRequest, Role
from storage.repositories import OrgRepository

VILLAGE = "雅庄村"
TITLE = "\n—— 考勤：请假、补卡、九点提醒、月度考勤 ——\n"


def run_scene(app: App, clock: ManualClock, out: TextIO) -> None:
    secretary, cadres = _people(app)
    if secretary is None or len(cadres) < 2:
        return
    out.write(TITLE)
    chat = ConsoleChat(app, VILLAGE, out=out)
    today = clock.today()
    chat.say(f"/请假 {_dash(today + timedelta(days=1))} {_dash(today + timedelta(days=2))} 参加县里培训", as_name=cadres[0])
    chat.say(f"/批准 {_latest_leave_id(app)}", as_name=secretary)
    chat.say(f"/补卡 {cadres[1]} {_dash(today - timedelta(days=1))} 在镇里开会忘记打卡", as_name=secretary)
    if clock.now().hour < 9:
        clock.set(clock.now().replace(hour=9, minute=0))
    runtime.bind(app)
    try:
        send_checkin_reminders()
    finally:
        runtime.bind(None)
    chat.flush()
    chat.say("/考勤 全村", as_name=secretary)
    chat.say("/考勤", as_name=cadres[0])


def _people(app: App) -> tuple[str | None, list[str]]:
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        village = org.village_named(VILLAGE)
        if village is None:
            return None, []
        members = org.members_of_village(village.id)
    secretary = next((m.name for m in members if m.role == Role.SECRETARY.value), None)
    return secretary, [m.name for m in members if m.role == Role.CADRE.value]


def _latest_leave_id(app: App) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.max(LeaveRequest.id))) or 0


def _dash(day) -> str:
    return f"{day.month}-{day.day}"
