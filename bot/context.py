"""The one typed context a handler or a job gets: clock, session, settings, the resolved member and
group, the parsed command and its typed arguments (`params`), the authorization `policy`, and the
outbox to send through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Mapping

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.commands import CommandCall
from bot.config import Settings
from bot.contract.parse import Params
from bot.contract.policy import Policy
from bot.media import MediaFetcher, MediaUnavailable
from bot.messages import Attachment, InboundMessage, Reply
from bot.outbox import OutboxWriter
from storage.models import GroupChat, Member
from storage.roster_cache import RosterCache

if TYPE_CHECKING:
    from bot.app import App
    from bot.cards import CardBook
    from bot.router import CommandTable


@dataclass
class Context:
    clock: Clock
    session: Session
    settings: Settings
    commands: CommandTable
    outbox: OutboxWriter
    message: InboundMessage | None = None
    member: Member | None = None
    group: GroupChat | None = None
    call: CommandCall | None = None
    media: Mapping[str, MediaFetcher] = field(default_factory=dict)
    params: Params = field(default_factory=Params)  # the command's parsed, typed arguments
    policy: Policy | None = None  # what the sender may act on (set by the router)
    cards: CardBook | None = None  # redraws a tapped card (bot/cards.py)
    roster: RosterCache = field(default_factory=RosterCache)
    # the handler runs in a savepoint of its own; False in a batch's optimistic first run, where a
    # raising handler rolls the whole batch back instead (bot/dispatcher.py)
    isolate_handler: bool = True
    # (platform, message id) pairs the dispatcher recorded as processed for this message's batch,
    # in one statement, and not yet claimed by their message (bot/middleware/dedupe.py)
    batch_new_ids: set[tuple[str, str]] | None = None

    @classmethod
    def for_message(
        cls, app: App, session: Session, message: InboundMessage, *, isolate_handler: bool = True,
        batch_new_ids: set[tuple[str, str]] | None = None,
    ) -> Context:
        ctx = cls._build(app, session, message)
        ctx.isolate_handler, ctx.batch_new_ids = isolate_handler, batch_new_ids
        return ctx

    @classmethod
    def for_job(cls, app: App, session: Session) -> Context:
        return cls._build(app, session, None)

    @classmethod
    def _build(cls, app: App, session: Session, message: InboundMessage | None) -> Context:
        return cls(
            clock=app.clock,
            session=session,
            settings=app.settings,
            commands=app.commands,
            outbox=OutboxWriter(session, app.clock),
            message=message,
            media=app.media_fetchers,
            cards=app.cards,
            roster=app.roster,
        )

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def fetch_attachment(self, attachment: Attachment) -> bytes:
        """Download an attachment of the current message through its platform's adapter."""
        platform = self.message.platform if self.message else ""
        fetcher = self.media.get(platform)
        if fetcher is None:
            raise MediaUnavailable(f"no media fetcher for platform {platform!r}")
        return fetcher.fetch(attachment)

    def send(self, group: GroupChat, reply: Reply | str, *, dedupe_key: str | None = None) -> None:
        """Send to a group other than the one the message came from (or from a job)."""
        if isinstance(reply, str):
            reply = Reply(reply)
        self.outbox.to_group(group, reply, dedupe_key=dedupe_key)
