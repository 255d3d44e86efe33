"""Test fixtures. Every test that takes `app` runs twice: on SQLite and on a real PostgreSQL.

PostgreSQL: each pytest session creates its own database on 127.0.0.1:5432 (so parallel runs do
not collide), migrates it once, truncates between tests, and drops it at the end. It must be
reachable; a test run never silently skips it. SQLite: a migrated template file copied per test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime

import psycopg
import pytest
from sqlalchemy import text

from bot.app import build_app
from bot.clock import TZ, ManualClock
from bot.config import Settings
from storage import make_engine, migrate
from storage.base import Base
import storage.models  # noqa: F401

PG_SERVER = os.environ.get("CADREBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return str(path)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    name = f"cadrebot_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "cadrebot.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate_all(url)
    return url


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """Tuesday 24 November 2026, 07:50 in Shanghai: a workday morning."""
    return ManualClock(datetime(2026, 11, 24, 7, 50, tzinfo=TZ))


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path / "data")


@pytest.fixture
def app(settings, clock):
    application = build_app(settings, clock=clock, migrate_db=False)
    yield application
    application.close()


@pytest.fixture
def world(app):
    """The standard township of the tests (see tests/factories.py)."""
    from tests.factories import build_world

    return build_world(app)


@pytest.fixture
async def standin():
    """A local stand-in of the platforms' servers (tests/standins.py) on 127.0.0.1."""
    from tests.standins import StandIn

    stand_in = StandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()
