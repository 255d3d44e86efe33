"""Factories for the tests: a small township with groups on both platforms, and a chat driver that
sends messages through the dispatcher and reads back what the outbox holds.

The standard world (芝英镇):
- 雅庄村: WeCom group `wx-yazhuang`; 张建国 书记 (wx `zhangjg`), 李秀英 村干部 (wx `lixy`),
  王伟 村干部 (wx `wangw`), 陈静 党员 (wx `chenj`), 周敏 村干部 (on the roster, no account yet)
- 莲湖村: DingTalk group `dt-lianhu`; 刘洋 书记 (dt `liuy`), 赵磊 村干部 (dt `zhaol`)
- township group `wx-zhiying` (WeCom); 孙丽 管理员 (wx `sunli`, dt `sunli-dt`)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from bot.app import App
from bot.dispatcher import DispatchResult
from bot.messages import Attachment, InboundMessage
from storage.models import Member, OutboxMessage, Village
from storage.repositories import OrgRepository, OutboxRepository

_ids = itertools.count(1)

MEMBERS = [
    # (village or None for township staff, name, role, wecom id, dingtalk id)
    ("雅庄村", "张建国", "书记", "zhangjg", None),
    ("雅庄村", "李秀英", "村干部", "lixy", None),
    ("雅庄村", "王伟", "村干部", "wangw", None),
    ("雅庄村", "陈静", "党员", "chenj", None),
    ("雅庄村", "周敏", "村干部", None, None),
    ("莲湖村", "刘洋", "书记", None, "liuy"),
    ("莲湖村", "赵磊", "村干部", None, "zhaol"),
    (None, "孙丽", "管理员", "sunli", "sunli-dt"),
]
GROUPS = [
    # (platform, chat id, village or None for the township group)
    ("wecom", "wx-yazhuang", "雅庄村"),
    ("dingtalk", "dt-lianhu", "莲湖村"),
    ("wecom", "wx-zhiying", None),
]
WECOM_GROUP = {"雅庄村": "wx-yazhuang", None: "wx-zhiying"}


@dataclass
class World:
    app: App
    members: dict[str, int] = field(default_factory=dict)  # name -> member id
    villages: dict[str, int] = field(default_factory=dict)
    township_id: int = 0
    chats: dict[str, Chat] = field(default_factory=dict)

    def chat(self, chat_id: str = "wx-yazhuang", platform: str | None = None) -> Chat:
        """The test's view of one group; the same object each time, so replies are read once."""
        if chat_id not in self.chats:
            platform = platform or ("dingtalk" if chat_id.startswith("dt-") else "wecom")
            self.chats[chat_id] = Chat(self.app, platform, chat_id)
        return self.chats[chat_id]

    def member(self, name: str) -> Member:
        with self.app.unit_of_work() as uow:
            member = uow.session.get(Member, self.members[name])
            uow.session.expunge(member)
            return member


def build_world(app: App) -> World:
    world = World(app)
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        township = org.get_or_create_township("芝英镇")
        world.township_id = township.id
        for village_name in ("雅庄村", "莲湖村"):
            world.villages[village_name] = org.get_or_create_village(township, village_name).id
        for village_name, name, role, wecom, dingtalk in MEMBERS:
            member = Member(
                township_id=township.id,
                village_id=world.villages.get(village_name),
                name=name,
                role=role,
                active=True,
            )
            uow.session.add(member)
            uow.session.flush()
            world.members[name] = member.id
            if wecom:
                org.set_identity(member, "wecom", wecom)
            if dingtalk:
                org.set_identity(member, "dingtalk", dingtalk)
        for platform, chat_id, village_name in GROUPS:
            village = uow.session.get(Village, world.villages[village_name]) if village_name else None
            org.bind_group(platform, chat_id, township, village)
        uow.commit()
    return world


def message(
    text: str,
    *,
    sender: str = "zhangjg",
    chat: str = "wx-yazhuang",
    platform: str = "wecom",
    message_id: str | None = None,
    at=None,
    sender_name: str = "",
    images: tuple[str, ...] = (),
) -> InboundMessage:
    from bot.clock import SystemClock

    return InboundMessage(
        platform=platform,
        chat_id=chat,
        sender_id=sender,
        sender_name=sender_name or sender,
        text=text,
        message_id=message_id or f"m-{next(_ids)}",
        received_at=at or SystemClock().now(),
        attachments=tuple(Attachment("image", ref) for ref in images),
        is_group=not chat.startswith("user:"),  # "user:<id>": a one-to-one chat, as the adapters name it
    )


class Chat:
    """One group chat as the tests see it: `say` sends a message, `replies` reads the outbox."""

    def __init__(self, app: App, platform: str, chat_id: str) -> None:
        self.app = app
        self.platform = platform
        self.chat_id = chat_id
        self._read_up_to = 0

    def send(self, text: str, sender: str, *, message_id: str | None = None, images=()) -> DispatchResult:
        return self.app.dispatcher.handle(
            message(
                text,
                sender=sender,
                chat=self.chat_id,
                platform=self.platform,
                message_id=message_id,
                at=self.app.clock.now(),
                images=images,
            )
        )

    def say(self, text: str, sender: str, **kwargs) -> list[str]:
        """Send, then return the texts newly queued for this chat."""
        self.send(text, sender, **kwargs)
        return self.new_texts()

    def new_texts(self) -> list[str]:
        rows = [r for r in outbox_rows(self.app, self.platform, self.chat_id) if r.id > self._read_up_to]
        if rows:
            self._read_up_to = rows[-1].id
        return [r.text for r in rows]

    def reply(self, text: str, sender: str, **kwargs) -> str:
        """Send and return the single reply (fails when there is not exactly one)."""
        texts = self.say(text, sender, **kwargs)
        assert len(texts) == 1, f"expected one reply, got {texts!r}"
        return texts[0]


def outbox_rows(app: App, platform: str | None = None, chat_id: str | None = None) -> list[OutboxMessage]:
    with app.unit_of_work() as uow:
        rows = OutboxRepository(uow.session).all(platform)
        return [r for r in rows if chat_id is None or r.chat_id == chat_id]


# --- images (minutes photos) -------------------------------------------------------------------
class StubMediaServer:
    """Stands in for a platform's media API: refs map to the bytes the platform would return."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, ref: str, data: bytes) -> str:
        self.files[ref] = data
        return ref

    def fetch(self, attachment) -> bytes:
        from bot.media import MediaUnavailable

        if attachment.ref not in self.files:
            raise MediaUnavailable(f"no such media {attachment.ref}")
        return self.files[attachment.ref]


def image_bytes(color: str = "white", size: tuple[int, int] = (640, 480), fmt: str = "JPEG") -> bytes:
    """A real image made with Pillow (a photo of minutes, as far as the bot can tell)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).text((20, 20), "会议纪要", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def add_village(world: World, name: str, people: list[tuple[str, str]], chat_id: str | None = None) -> int:
    """One more village of the world's township with its roster (name, role) and, with `chat_id`, a
    WeCom group; members get WeCom accounts named after the village and their place on the list."""
    with world.app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        township = org.get_or_create_township("芝英镇")
        village = org.get_or_create_village(township, name)
        world.villages[name] = village.id
        for n, (person, role) in enumerate(people):
            member = Member(township_id=township.id, village_id=village.id, name=person, role=role, active=True)
            uow.session.add(member)
            uow.session.flush()
            world.members[person] = member.id
            org.set_identity(member, "wecom", f"{chat_id or name}-{n}")
        if chat_id:
            org.bind_group("wecom", chat_id, township, village)
        uow.commit()
    return world.villages[name]
