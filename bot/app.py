"""The composition root: settings, clock, database, the one list of routers, and the dispatcher.
Engines and clients are created here, never at import time."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.cards import CHECKIN_CARD, NOTICE_CARD, VOTE_CARD, CardBook
from bot.clock import Clock, SystemClock
from bot.config import Settings, load_settings
from bot.dispatcher import Dispatcher
from bot.media import LocalFileFetcher, MediaFetcher
from bot.router import CommandTable
from handlers import (
    attendance,
    binding,
    calendar,
    checkin,
    help,
    leave,
    notices,
    meetings,
    minutes,
    notes,
    points,
    resolutions,
    search,
    votes,
)
from storage import UnitOfWork, make_engine, make_session_factory, migrate
from storage.repositories.messages import hold_outbox_rows
from storage.roster_cache import RosterCache, track_roster_changes

# Every command family the bot serves, in the order /帮助 lists them.
ROUTERS = (
    checkin.router,
    attendance.router,
    leave.router,
    binding.router,
    meetings.router,
    notes.router,  # before minutes: a spot-check photo must not land in an open minutes session
    calendar.router,
    minutes.router,
    resolutions.router,
    votes.router,
    points.router,
    search.router,
    notices.router,
    help.router,
)

# Tap cards: the renderer of each card-key prefix (bot/cards.py).
CARD_RENDERERS = {CHECKIN_CARD.prefix: checkin.checkin_card, VOTE_CARD.prefix: votes.vote_card,
                  NOTICE_CARD.prefix: notices.notice_card}


@dataclass
class App:
    settings: Settings
    clock: Clock
    engine: Engine
    session_factory: sessionmaker[Session]
    commands: CommandTable
    media_fetchers: dict[str, MediaFetcher] = field(default_factory=lambda: {"console": LocalFileFetcher()})
    cards: CardBook = field(default_factory=lambda: CardBook(CARD_RENDERERS))
    dispatcher: Dispatcher = field(init=False)
    roster: RosterCache = field(default_factory=RosterCache)  # member/group look-ups of this process

    def __post_init__(self) -> None:
        track_roster_changes(self.session_factory, self.roster)
        hold_outbox_rows(self.session_factory)
        self.dispatcher = Dispatcher(self)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def close(self) -> None:
        self.engine.dispose()


def build_app(settings: Settings | None = None, *, clock: Clock | None = None, migrate_db: bool = True) -> App:
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    if migrate_db:
        migrate(engine)
    return App(
        settings=settings,
        clock=clock or SystemClock(),
        engine=engine,
        session_factory=make_session_factory(engine),
        commands=build_command_table(),
    )


def build_command_table() -> CommandTable:
    """Every declared command of the routers above (also read by the README generator)."""
    return CommandTable(ROUTERS)
