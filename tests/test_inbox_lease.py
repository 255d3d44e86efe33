"""Inbox claims have a lease, on PostgreSQL with several workers: a worker that starts leaves the
rows another live worker is handling alone — its photo is downloaded once, not again by the
newcomer — even when handling takes longer than the lease (the holder renews its claims); a row
claimed by a worker that died goes back to pending once its claim is older than the lease, and is
handled once. Two real `Server`s (separate engines, as two processes) on loopback."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.config import InboxSettings, Settings
from bot.platform_config import WeComSettings
from bot.runtime import Inbox
from bot.serve import Server
from storage.models import InboxMessage, OutboxMessage, ProcessedMessage
from tests.conftest import _truncate_all
from tests.factories import build_world, image_bytes, message
from tests.standins import until
from tests.wecom_client import AES_KEY, TOKEN, WeComServer, image_message

LEASE = 2.0  # seconds; the keeper renews and recovers every LEASE / 3
DOWNLOAD = 3 * LEASE  # the photo takes longer to download than a claim's lease


@pytest.fixture
def settings(postgres_url, tmp_path, standin) -> Settings:
    _truncate_all(postgres_url)
    wecom = WeComSettings(enabled=True, aibot_token=TOKEN, aibot_aes_key=AES_KEY, api_base=standin.base,
                          webhook_keys={"wx-yazhuang": "key-yazhuang"})
    return Settings(database_url=postgres_url, data_dir=tmp_path / "data", wecom=wecom,
                    inbox=InboxSettings(claim_lease_seconds=LEASE))


@pytest.fixture
def apps(settings):
    """Three processes' worth of app (the real clock): worker A, worker B, and one that dies."""
    made = [build_app(settings, migrate_db=False) for _ in range(3)]
    build_world(made[0])
    yield made
    for app in made:
        app.close()


def row(app, message_id: str) -> InboxMessage:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(InboxMessage).where(InboxMessage.message_id == message_id))


def count(app, column) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(column)))


def replies(app) -> list[str]:
    with app.unit_of_work() as uow:
        return list(uow.session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))


def claim_and_die(app) -> None:
    """A worker stores `/纪要 开始`, claims it, and is killed before handling it (no finish, no renewal)."""
    dying = Inbox(app, workers=1)
    dying.intake.start()
    dying.accept(message("/纪要 开始 党员大会", message_id="dead-1"))
    dying.intake.stop()
    assert [m.message_id for _, m in dying._claim()] == ["dead-1"]
    app.engine.dispose()  # its connections go with it


async def test_a_starting_worker_leaves_a_live_workers_claims_alone_and_takes_back_a_dead_ones(apps, standin):
    first_app, second_app, dead_app = apps
    claim_and_die(dead_app)
    died_at = time.monotonic()
    first = Server(first_app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    second = Server(second_app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    started: list[Server] = []
    await first.start()
    started.append(first)
    try:
        assert row(first_app, "dead-1").status == "dispatching"  # a claim younger than the lease: not touched
        await until(lambda: row(first_app, "dead-1").status == "handled", timeout=4 * LEASE)
        taken_back_after = time.monotonic() - died_at
        assert taken_back_after >= LEASE

        wecom = WeComServer()
        standin.media["slow"] = wecom.encrypt_media(image_bytes())
        standin.media_delay["slow"] = DOWNLOAD
        query, body = wecom.sign(image_message("photo", f"{standin.base}/media/slow"))
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            async with http.post(f"http://127.0.0.1:{first.port}/wecom/aibot", params=query, data=body) as response:
                assert response.status == 200
        await until(lambda: standin.media_fetches["slow"] == 1, timeout=5)  # the first worker is downloading it
        claimed = row(first_app, "photo")
        assert claimed.status == "dispatching"

        await second.start()  # recovers at start
        started.append(second)
        assert row(second_app, "photo").status == "dispatching"
        # both keepers run their recovery passes while the download outlasts the lease
        await asyncio.sleep(LEASE + LEASE / 3 * 2)
        still = row(second_app, "photo")
        assert still.status == "dispatching" and still.claimed_at > claimed.claimed_at  # renewed by its holder
        await until(lambda: row(first_app, "photo").status == "handled", timeout=2 * DOWNLOAD)
    finally:
        for server in reversed(started):
            await server.stop()

    assert standin.media_fetches["slow"] == 1  # nobody downloaded it a second time
    assert count(first_app, ProcessedMessage.id) == 2
    assert replies(first_app)[-1] == "📷 已存入纪要 #1（共 1 张）"
    assert len(replies(first_app)) == 2  # one answer to `/纪要 开始`, one to the photo
    print(f"\ndead worker's claim taken back and handled {taken_back_after:.1f} s after it died (lease {LEASE:g} s)")
