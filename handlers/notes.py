"""After a meeting: notebook photos for the spot-check (/笔记 or just a photo) and each village's
传达 of a township meeting (/传达). Notebook photos are kept like minutes photos (handlers/photos.py):
`notes_ref` is the stored file's content-addressed path."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import local
from bot.contract import ANYWHERE, VILLAGE_GROUP, Id, Scope, Text
from bot.errors import UserError
from bot.router import Router
from handlers.photos import keep_photo
from storage.models import MeetingRelay
from storage.repositories import MeetingRepository

router = Router("notes")

NOTES_RECEIVED = "📓 已收到 {name} 的「{title}」笔记照片，谢谢"
NO_SPOT_CHECK = "您目前没有待交的笔记抽查"
NEED_PHOTO = "请把笔记照片和 /笔记 一起发送（或直接发照片）"
RELAYED = "✅ {village}已传达「{title}」（{hhmm}）"
RELAYED_LATE = "✅ {village}已传达「{title}」（{hhmm}，已超过截止时间）"
ALREADY_RELAYED = "{village}已于 {hhmm} 传达过「{title}」"
NO_RELAY_NEEDED = "近期没有需要传达的镇级会议"
RELAY_EMPTY = "请写上传达内容或附上照片，例如：/传达 已向村民传达安全生产要求"
RELAY_IN_VILLAGE = "请在本村的群里由村干部发送 /传达"


@router.command("笔记", places=ANYWHERE, scope=Scope.SELF, args=())
def notes(message, ctx):
    """交会议笔记照片（被抽查时）
    /笔记 + 照片
    """
    if not message.images:
        raise UserError(NEED_PHOTO)
    return _record_notes(message, ctx)


def _has_open_spot_check(message, ctx) -> bool:
    return bool(message.images and ctx.member and MeetingRepository(ctx.session).open_spot_checks(ctx.member.id))


@router.listener(_has_open_spot_check)
def notes_photo(message, ctx):
    return _record_notes(message, ctx)


def _record_notes(message, ctx):
    pending = MeetingRepository(ctx.session).open_spot_checks(ctx.member.id)
    if not pending:
        raise UserError(NO_SPOT_CHECK)
    attendee = pending[0]
    # Downloaded, checked and stored like a minutes photo: a platform reference expires.
    attendee.notes_ref = keep_photo(ctx, message.images[0]).path
    attendee.notes_at = local(message.received_at)
    return NOTES_RECEIVED.format(name=ctx.member.name, title=attendee.meeting.title)


@router.command(
    "传达", places=VILLAGE_GROUP, scope=Scope.VILLAGE,
    args=(Id("meeting", "编号", optional=True), Text("text", "传达内容", optional=True, default="", max_len=1000)),
)
def relay(message, ctx):
    """村里传达镇级会议精神（会后24小时内），可附照片
    /传达 传达内容（可附照片）
    /传达 编号 传达内容 —— 指定会议
    """
    village_id = ctx.group.village_id  # places=VILLAGE_GROUP: always a village's group
    # Scope.VILLAGE lets only the village's own people in, and the township's admins into every
    # village group: this refuses the admins, as a 传达 is posted by the village itself.
    if village_id != ctx.member.village_id:
        raise UserError(RELAY_IN_VILLAGE)
    repo = MeetingRepository(ctx.session)
    text = ctx.params.text
    at = local(message.received_at)
    if ctx.params.meeting is not None:
        meeting = repo.get(ctx.params.meeting)
        meeting = meeting if meeting is not None and meeting.village_id is None else None
    else:
        meeting = repo.latest_relayable(ctx.member.township_id, at, at - timedelta(days=7))
    if meeting is None or meeting.township_id != ctx.member.township_id or meeting.cancelled:
        raise UserError(NO_RELAY_NEEDED)
    village = ctx.group.village.name
    done = repo.relay(meeting.id, village_id)
    if done is not None:
        return ALREADY_RELAYED.format(village=village, hhmm=f"{local(done.posted_at):%m-%d %H:%M}", title=meeting.title)
    if not text.strip() and not message.images:
        raise UserError(RELAY_EMPTY)
    # kept like a minutes photo: the platform's reference expires, the 公开栏 needs the file
    image = keep_photo(ctx, message.images[0]).path if message.images else None
    repo.add_relay(
        MeetingRelay(meeting_id=meeting.id, village_id=village_id, member_id=ctx.member.id, text=text.strip(),
                     image_ref=image, posted_at=at)
    )
    late = at > meeting.starts_at + timedelta(hours=ctx.settings.meetings.relay_hours)
    return (RELAYED_LATE if late else RELAYED).format(village=village, title=meeting.title, hhmm=f"{at:%m-%d %H:%M}")
