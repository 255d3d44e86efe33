"""Demo scene for meetings (issue 5): one 两委例会 cycle with time moved forward — the admin
schedules it, reminders go out, secretaries sign in on time and late, the 迟到席 roll call, the
notebook spot-check with a photo, and each village's 传达 with the overdue list.

The scheduler's sweep job is called directly as the clock moves (APScheduler would call it every
minute in `cadrebot serve`). Names come from the seeded roster.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TextIO

from sqlalchemy import select

from bot.adapters.console import PLATFORM, ConsoleChat
from bot.messages import Attachment, InboundMessage
from scheduler import meeting_jobs, runtime
from storage.models import Meeting, MeetingAttendee, Member, Village
from storage.repositories import OrgRepository


def run_scene(app, clock, out: TextIO) -> None:
    township_name, admin, villages = _cast(app)
    if admin is None or len(villages) < 2:
        return
    out.write("\n—— 两委例会：提醒、签到、迟到席、笔记抽查、会后传达 ——\n")
    township = ConsoleChat(app, township_name, out=out)
    chats = {name: ConsoleChat(app, name, out=out) for name in villages}
    day = clock.now().date() + timedelta(days=2)
    township.say(f"/会议 新建 {day:%Y-%m-%d} 14:30 两委例会 主题：冬季安全生产 地点：镇三楼会议室 参会：书记", as_name=admin)
    start = _latest_meeting_start(app)

    def move_to(moment) -> None:
        if moment.date() != clock.now().date():
            out.write(f"（{moment:%m月%d日}）\n")
        clock.set(moment)
        _sweep(app)
        township.flush()

    move_to(start - timedelta(days=1))
    move_to(start - timedelta(hours=1))
    secretaries = [(name, members[0]) for name, members in villages.items()]
    clock.set(start - timedelta(minutes=25))
    chats[secretaries[0][0]].say("/签到", as_name=secretaries[0][1])
    clock.set(start - timedelta(minutes=3))
    chats[secretaries[1][0]].say("/签到", as_name=secretaries[1][1])
    move_to(start)
    if len(secretaries) > 2:
        clock.set(start + timedelta(minutes=8))
        chats[secretaries[2][0]].say("/签到", as_name=secretaries[2][1])
    out.write("（会议开始 10 分钟后，机器人公布迟到席和缺席名单）\n")
    move_to(start + timedelta(minutes=app.settings.meetings.grace_minutes))
    move_to(start + timedelta(minutes=app.settings.meetings.spot_check_after_minutes))
    clock.set(start + timedelta(hours=3))
    for village, name in _picked(app)[:1]:
        _send_photo(app, chats[village], name, out)
    clock.set(start + timedelta(hours=4))
    first_village, first_secretary = secretaries[0]
    chats[first_village].say("/传达 已在村两委会和党员微信群传达冬季安全生产要求，明早上门走访独居老人", as_name=first_secretary)
    move_to(start + timedelta(hours=app.settings.meetings.relay_remind_hours))
    if len(secretaries) > 1:
        chats[secretaries[1][0]].say("/传达 已在村民大会上传达", as_name=secretaries[1][1])
    move_to(start + timedelta(hours=app.settings.meetings.relay_hours))


def _sweep(app) -> None:
    runtime.bind(app)
    try:
        meeting_jobs.sweep()
    finally:
        runtime.bind(None)


def _cast(app) -> tuple[str, str | None, dict[str, list[str]]]:
    """The township, its admin, and each village's members (secretary first)."""
    with app.unit_of_work() as uow:
        village_rows = list(uow.session.scalars(select(Village).order_by(Village.id)))
        if not village_rows:
            return "", None, {}
        township = village_rows[0].township
        admins = OrgRepository(uow.session).admins(township.id)
        villages = {}
        for village in village_rows:
            members = OrgRepository(uow.session).members_of_village(village.id)
            members.sort(key=lambda m: (m.role != "书记", m.id))
            villages[village.name] = [m.name for m in members]
        return township.name, admins[0].name if admins else None, villages


def _latest_meeting_start(app):
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(Meeting.starts_at).order_by(Meeting.id.desc()).limit(1))


def _picked(app) -> list[tuple[str, str]]:
    with app.unit_of_work() as uow:
        rows = uow.session.execute(
            select(Village.name, Member.name)
            .join(Member, Member.village_id == Village.id)
            .join(MeetingAttendee, MeetingAttendee.member_id == Member.id)
            .where(MeetingAttendee.spot_checked.is_(True))
            .order_by(MeetingAttendee.id)
        )
        return [tuple(row) for row in rows]


def _send_photo(app, chat: ConsoleChat, name: str, out: TextIO) -> None:
    """A photo message (the console has no camera: a small picture made here stands in for it)."""
    now = app.clock.now()
    photo = _notebook_photo(app.settings.data_dir / "demo" / "会议笔记.jpg")
    out.write(f"[{now:%H:%M}] {chat.group_name} · {name}：[图片：会议笔记.jpg]\n")
    app.dispatcher.handle(
        InboundMessage(
            platform=PLATFORM, chat_id=chat.chat_id, sender_id=f"{chat.group_name}·{name}", sender_name=name,
            text="", message_id=f"demo-notes-{name}", received_at=now,
            attachments=(Attachment("image", str(photo), "会议笔记.jpg"),),
        )
    )
    chat.flush()


def _notebook_photo(path):
    """A real JPEG, so the photo goes through the same check-and-store path as a cadre's."""
    if not path.exists():
        from PIL import Image, ImageDraw

        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", (480, 360), "white")
        ImageDraw.Draw(image).text((20, 20), "meeting notes", fill="black")
        image.save(path, "JPEG")
    return path
