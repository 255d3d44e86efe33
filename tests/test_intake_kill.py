"""kill -9 of a real `cadrebot serve` in the middle of a burst of encrypted WeCom callbacks: after
a restart, every callback that was answered 200 is handled exactly once (one check-in per cadre,
one reply per message). Loopback only, bounded, the subprocess is always stopped."""

from __future__ import annotations

import asyncio

import aiohttp
from sqlalchemy import func, select

from storage.models import Checkin, InboxMessage, OutboxMessage, ProcessedMessage
from tests.serve_process import ServeProcess, callbacks, paced, post_one
from tests.standins import until

BURST = 300
KILL_AFTER_ACKS = 100


def _counts(app) -> dict[str, int]:
    with app.unit_of_work() as uow:
        s = uow.session
        return {
            "stored": s.scalar(select(func.count(InboxMessage.id))),
            "unfinished": s.scalar(
                select(func.count(InboxMessage.id)).where(InboxMessage.status.in_(("pending", "dispatching")))
            ),
            "processed": s.scalar(select(func.count(ProcessedMessage.id))),
            "replies": s.scalar(select(func.count(OutboxMessage.id))),
            "checkins": s.scalar(select(func.count(Checkin.id))),
        }


def _handled_ids(app) -> list[str]:
    with app.unit_of_work() as uow:
        return list(uow.session.scalars(select(ProcessedMessage.message_id)))


async def test_kill_9_mid_burst_loses_no_acknowledged_callback(app, world, standin, tmp_path, capsys):
    serve = ServeProcess(tmp_path, app.settings.database_url, standin.base)
    acked: list[str] = []

    async def send(item) -> int:
        msgid, query, body = item
        status, _ = await post_one(http, serve.url, query, body)
        if status == 200:
            acked.append(msgid)
        return status

    async def kill_mid_burst() -> None:
        await until(lambda: len(acked) >= KILL_AFTER_ACKS, timeout=30)
        serve.kill()

    await asyncio.to_thread(serve.start)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            await asyncio.gather(paced(callbacks(BURST, "burst"), 300, send), kill_mid_burst())
        at_kill = _counts(app)
        assert KILL_AFTER_ACKS <= len(acked) < BURST, "the kill must land inside the burst"
        assert at_kill["stored"] >= len(acked)

        await asyncio.to_thread(serve.start)
        # bounded, but generous: the dispatch process is niced and the CI machine may be busy
        await until(lambda: _counts(app)["unfinished"] == 0, timeout=180)
    finally:
        await asyncio.to_thread(serve.stop)

    assert f"serving on 127.0.0.1:{serve.port}" in serve.log.read_text()  # INFO by default
    after = _counts(app)
    handled = _handled_ids(app)
    assert set(acked) <= set(handled)
    assert len(handled) == len(set(handled)) == after["stored"]
    assert after["replies"] == after["processed"]  # each /打卡 answered exactly once
    assert after["checkins"] == len({n % 4 for n in (int(m.rsplit("-", 1)[1]) for m in handled)})
    with capsys.disabled():
        print(f"\nkill -9 after {len(acked)}/{BURST} acked; stored at kill {at_kill['stored']}, handled at kill "
              f"{at_kill['processed']}; after restart handled {after['processed']}, replies {after['replies']}, "
              f"check-ins {after['checkins']}")
