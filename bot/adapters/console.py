"""The console adapter: a group chat in the terminal, through the same dispatcher and handlers.

Lines are messages from the current speaker; `姓名> 文本` speaks as another member of the group.
The speaker's console account is `村名·姓名`, created on first use.
"""

from __future__ import annotations

import itertools
import sys
import uuid
from typing import TextIO

from bot.app import App
from bot.delivery import deliver_due
from bot.messages import InboundMessage, OutboundMessage
from storage.models import GroupChat, Member
from storage.repositories import OrgRepository

PLATFORM = "console"

__all__ = ["ConsoleChat", "ConsoleSetupError", "PLATFORM"]


class ConsoleSetupError(Exception):
    """The group or speaker named on the command line is not on the roster."""


class ConsoleSender:
    def __init__(self, chat: ConsoleChat) -> None:
        self._chat = chat

    def send(self, message: OutboundMessage) -> None:
        self._chat.print_bot(message)


class ConsoleChat:
    def __init__(self, app: App, group_name: str, speaker: str | None = None, out: TextIO = sys.stdout) -> None:
        self.app = app
        self.out = out
        self._ids = itertools.count(1)
        self.group_name = group_name
        self.chat_id = f"console:{group_name}"
        with app.unit_of_work() as uow:
            group = self._bind_group(OrgRepository(uow.session), group_name)
            self._village_id, self._township_id = group.village_id, group.township_id
            default = speaker or self._first_member_name(OrgRepository(uow.session))
            uow.commit()
        self.speaker = default
        self._sender = ConsoleSender(self)

    # speaking ----------------------------------------------------------------------------
    def say(self, text: str, as_name: str | None = None, *, message_id: str | None = None) -> None:
        """Send one line into the group as a member (default: the current speaker) and print replies."""
        name = as_name or self.speaker
        sender_id = self._account_of(name)
        now = self.app.clock.now()
        self.out.write(f"[{now:%H:%M}] {self.group_name} · {name}：{text}\n")
        message = InboundMessage(
            platform=PLATFORM,
            chat_id=self.chat_id,
            sender_id=sender_id,
            sender_name=name,
            text=text,
            message_id=message_id or f"console-{uuid.uuid4().hex}",
            received_at=now,
        )
        self.app.dispatcher.handle(message)
        self.flush()

    def flush(self) -> int:
        """Print whatever the outbox holds for the console (replies and jobs' messages)."""
        return deliver_due(self.app, {PLATFORM: self._sender}, platform=PLATFORM)

    def run(self, lines: TextIO) -> None:
        """Read messages line by line (`姓名> 文本` to speak as someone else) until end of input."""
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            name, text = _split_speaker(line)
            try:
                self.say(text, as_name=name)
            except ConsoleSetupError as error:
                self.out.write(f"⚠️  {error}\n")

    def print_bot(self, message: OutboundMessage) -> None:
        now = self.app.clock.now()
        bot = self.app.settings.bot_name
        text = message.text.replace("\n", "\n" + " " * 8)
        group = message.chat_id.removeprefix("console:")
        self.out.write(f"[{now:%H:%M}] {group} · 🤖 {bot}：{text}\n")
        if message.mentions:
            names = " ".join("@" + m.split("·", 1)[-1] for m in message.mentions)
            self.out.write(f"        （提醒 {names}）\n")

    # roster look-ups --------------------------------------------------------------------------
    def _bind_group(self, org: OrgRepository, name: str) -> GroupChat:
        existing = org.group(PLATFORM, self.chat_id)
        if existing is not None:
            return existing
        village = org.village_named(name)
        if village is not None:
            return org.bind_group(PLATFORM, self.chat_id, village.township, village, title=name)
        township = org.township_named(name)
        if township is not None:
            return org.bind_group(PLATFORM, self.chat_id, township, None, title=name)
        raise ConsoleSetupError(f"花名册里没有「{name}」这个村或镇，请先导入花名册（cadrebot roster import）")

    def _first_member_name(self, org: OrgRepository) -> str:
        members = org.members_of_village(self._village_id) if self._village_id else org.admins(self._township_id)
        if not members:
            raise ConsoleSetupError(f"「{self.group_name}」还没有成员，请先导入花名册")
        return members[0].name

    def _account_of(self, name: str) -> str:
        """The console account of a member of this group, made on first use; strangers stay unbound."""
        account = f"{self.group_name}·{name}"
        with self.app.unit_of_work() as uow:
            org = OrgRepository(uow.session)
            if org.identity(PLATFORM, account) is None:
                member = self._member_named(org, name)
                if member is not None and org.identity_of(member.id, PLATFORM) is None:
                    org.set_identity(member, PLATFORM, account)
                    uow.commit()
        return account

    def _member_named(self, org: OrgRepository, name: str) -> Member | None:
        found = org.member_named(name, township_id=self._township_id, village_id=self._village_id)
        return found[0] if found else None


def _split_speaker(line: str) -> tuple[str | None, str]:
    head, sep, rest = line.partition(">")
    if sep and head.strip() and len(head.strip()) <= 8 and not head.strip().startswith(("/", "／", "@")):
        return head.strip(), rest.strip()
    return None, line.strip()
