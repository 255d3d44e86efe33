"""/纪要: open a minutes window in a group (photos sent while it is open are kept with it), close
it, and list a minutes session's photos. Photos are checked and stored once by content."""

from __future__ import annotations

from bot.clock import local
from bot.contract import GROUPS, Id, Scope, Text
from bot.errors import UserError
from bot.router import Router
from handlers.resolution_records import index_minutes, votes_text
from handlers.photos import keep_photo
from storage.models import MinutesImage, MinutesSession
from storage.repositories import MeetingRepository, ResolutionRepository

router = Router("minutes")

OPENED = "📝 纪要 #{id} 开始：{topic}\n现在发到本群的图片都会存入这份纪要，记完发送 /纪要 结束。"
CLOSED_PREVIOUS = "（上一份纪要 #{id} 已自动结束）\n"
CLOSED = "📝 纪要 #{id} 已结束，共 {count} 张图片。查看：/纪要 {id}"
NONE_OPEN = "本群没有正在记录的纪要。发送 /纪要 开始 主题 开始记录。"
NOT_FOUND = "没有找到纪要 #{id}。"
SAVED = "📷 已存入纪要 #{id}（共 {count} 张）"
DUPLICATE = "📷 这张图片纪要 #{id} 里已经有了，不重复保存。"
LISTING = "📝 纪要 #{id}：{topic}\n{when}，{who}记录\n图片 {count} 张：{images}{resolutions}"
RESOLUTION_LINE = "\n决议 #{id}：{subject}（{votes}）"
RECENT = "本群最近的纪要：\n{lines}\n发送 /纪要 编号 查看。"
NO_TOPIC = "会议纪要"
LINKED_MEETING = "\n（已关联本群正在召开的会议 #{id}「{title}」）"


def _open_session_with_images(message, ctx) -> bool:
    """Photos from the group's own people (and the township's admins) while its minutes are open."""
    return bool(message.images) and ctx.member is not None and ctx.group is not None and (
        ctx.policy is not None and ctx.policy.may_use_here(Scope.VILLAGE)
    ) and (
        ResolutionRepository(ctx.session).open_minutes(ctx.group.id) is not None
    )


@router.listener(_open_session_with_images)
def keep_minutes_photo(message, ctx):
    minutes = ResolutionRepository(ctx.session).open_minutes(ctx.group.id)
    return [_attach(ctx, minutes, image) for image in message.images]


@router.command("纪要", places=GROUPS, scope=Scope.VILLAGE, args=(Id("minutes", "编号", optional=True),))
def minutes(message, ctx):
    """会议纪要：开始记录、结束、查看某份纪要的照片
    /纪要 开始 党员和村民代表会议
    /纪要 结束
    /纪要 3
    """
    if ctx.params.minutes is None:
        return _recent(ctx)
    found = ResolutionRepository(ctx.session).minutes(ctx.params.minutes, ctx.group.township_id)
    if found is None:
        raise UserError(NOT_FOUND.format(id=ctx.params.minutes))
    if message.images:  # adding photos changes another group's minutes: only its own people
        ctx.policy.require_village(found.group.village_id, found.township_id)
    attached = [_attach(ctx, found, image) for image in message.images]
    return [*attached, _listing(ctx, found)]


@router.command(
    "纪要", sub="开始", places=GROUPS, scope=Scope.VILLAGE,
    args=(Text("topic", "主题", optional=True, default="", max_len=200),),
)
def open_minutes(message, ctx):
    """开始记录本群的会议纪要（之后发到本群的图片都存入这份纪要）
    /纪要 开始 党员和村民代表会议
    """
    return _open(ctx, ctx.params.topic)


@router.command("纪要", sub="结束", places=GROUPS, scope=Scope.VILLAGE, args=())
def close_minutes(message, ctx):
    """结束本群正在记录的会议纪要
    /纪要 结束
    """
    return _close(ctx)


def _open(ctx, topic: str) -> str:
    repository = ResolutionRepository(ctx.session)
    previous = repository.open_minutes(ctx.group.id)
    note = ""
    if previous is not None:
        previous.closed_at = ctx.now()
        note = CLOSED_PREVIOUS.format(id=previous.id)
    meeting = MeetingRepository(ctx.session).in_progress(ctx.group.township_id, ctx.group.village_id, ctx.now())
    session = repository.add(
        MinutesSession(
            township_id=ctx.group.township_id, group_id=ctx.group.id,
            meeting_id=meeting.id if meeting else None,
            topic=(topic or (meeting.title if meeting else NO_TOPIC))[:200],
            opened_by_id=ctx.member.id, opened_at=ctx.now(),
        )
    )
    index_minutes(ctx, session)
    linked = LINKED_MEETING.format(id=meeting.id, title=meeting.title) if meeting else ""
    return note + OPENED.format(id=session.id, topic=session.topic) + linked


def _close(ctx) -> str:
    session = ResolutionRepository(ctx.session).open_minutes(ctx.group.id)
    if session is None:
        raise UserError(NONE_OPEN)
    session.closed_at = ctx.now()
    return CLOSED.format(id=session.id, count=len(session.images))


def _attach(ctx, session: MinutesSession, attachment) -> str:
    """Download, check and keep one photo; a bad file raises UserError so nothing is stored."""
    media = keep_photo(ctx, attachment)
    repository = ResolutionRepository(ctx.session)
    if repository.has_image(session.id, media.id):
        return DUPLICATE.format(id=session.id)
    repository.add(MinutesImage(session_id=session.id, media_id=media.id, added_by_id=ctx.member.id, added_at=ctx.now()))
    ctx.session.refresh(session, ["images"])
    return SAVED.format(id=session.id, count=len(session.images))


def _listing(ctx, session: MinutesSession) -> str:
    base = ctx.settings.resolutions.public_url.rstrip("/")
    images = [
        (f"{base}/media/{i.media.path}" if base else f"{i.media.sha256[:8]}（{i.media.width}×{i.media.height}）")
        for i in session.images
    ]
    resolutions = "".join(
        RESOLUTION_LINE.format(id=r.id, subject=r.subject, votes=votes_text(r.agree, r.against, r.abstain))
        for r in ResolutionRepository(ctx.session).resolutions_of_minutes(session.id)
    )
    opened = local(session.opened_at).strftime("%m-%d %H:%M")
    when = f"{opened}–{local(session.closed_at).strftime('%H:%M')}" if session.closed_at else f"{opened} 起（记录中）"
    return LISTING.format(
        id=session.id, topic=session.topic, when=when, who=session.opened_by.name, count=len(images),
        images=("\n" + "\n".join(images)) if images else "无", resolutions=resolutions,
    )


def _recent(ctx) -> str:
    sessions = ResolutionRepository(ctx.session).recent_minutes(ctx.group.id)
    if not sessions:
        return NONE_OPEN
    lines = [f"#{s.id} {local(s.opened_at).strftime('%m-%d')} {s.topic}（{len(s.images)} 张）" for s in sessions]
    return RECENT.format(lines="\n".join(lines))
