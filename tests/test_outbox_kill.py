"""kill -9 of one worker of a real `cadrebot serve --workers 2` on PostgreSQL while it is sending:
every queued message reaches the platform exactly once and in order per group; the one message
on the wire at the kill ends `uncertain` (delivered once, never resent by itself), and
`cadrebot outbox` shows it with its reason until the operator re-sends it.

The WeCom webhook stand-in holds one call unanswered and names the connection it came from; the
test kills the worker process that owns that connection, then lets the stand-in go on. Loopback
only, bounded, and the serve processes are always stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter

from sqlalchemy import func, select

from bot.app import build_app
from bot.cli import main as cli
from bot.config import Settings
from bot.messages import Reply
from bot.outbox import OutboxWriter
from storage.models import OutboxMessage
from storage.repositories import OrgRepository
from tests.conftest import _truncate_all
from tests.serve_process import ServeProcess, owner_of
from tests.standins import until

CHATS = [f"wx-village-{n:02d}" for n in range(40)]
PER_CHAT = 10
HOLD_CALL = 150  # both workers are busy by then; about a third of the outbox has gone
# The live workers' HTTP read timeout; a claim older than 3 × this belongs to a dead worker
# (bot/delivery.py), so the dead worker's group resumes ~6 s after the kill, not ~30 s.
HTTP_TIMEOUT = 2
DIED_MID_SEND = "进程在发送中途退出，未确认是否送达"


def text_of(chat: str, n: int) -> str:
    return f"{chat} 第{n}条"


def open_township(app) -> None:
    """A township, so `cadrebot outbox` opens the database (the 40 chats are not bound groups:
    no scheduled job of the real serve can queue anything for them)."""
    with app.unit_of_work() as uow:
        OrgRepository(uow.session).get_or_create_township("芝英镇")
        uow.commit()


def queue_everything(app) -> None:
    """40 groups × 10 notices, interleaved as a morning of roll calls queues them, in one commit."""
    with app.unit_of_work() as uow:
        writer = OutboxWriter(uow.session, app.clock)
        for n in range(1, PER_CHAT + 1):
            for chat in CHATS:
                writer.enqueue(Reply(text_of(chat, n)), platform="wecom", chat_id=chat, dedupe_key=f"{chat}-{n}")
        uow.commit()


def statuses(app) -> dict[str, str]:
    with app.unit_of_work() as uow:
        return dict(uow.session.execute(select(OutboxMessage.text, OutboxMessage.status)).all())


def unfinished(app) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status.in_(("pending", "sending")))
        )


def arrived_by_chat(standin) -> dict[str, list[str]]:
    chat_of_key = {f"key-{chat}": chat for chat in CHATS}
    by_chat: dict[str, list[str]] = {chat: [] for chat in CHATS}
    for call in standin.sent("/cgi-bin/webhook/send"):
        by_chat[chat_of_key[call.query["key"]]].append(call.body["text"]["content"])
    return by_chat


def serving(serve: ServeProcess) -> int:
    return serve.log.read_text().count(f"serving on 127.0.0.1:{serve.port}")


async def test_kill_9_of_a_sending_worker_delivers_every_message_once_and_leaves_the_one_on_the_wire_uncertain(
    postgres_url, standin, tmp_path, capsys
):
    _truncate_all(postgres_url)
    app = build_app(Settings(database_url=postgres_url), migrate_db=False)  # the real clock, as the workers'
    open_township(app)
    serve = ServeProcess(
        tmp_path, postgres_url, standin.base, ("--workers", "2"),
        webhook_keys={chat: f"key-{chat}" for chat in CHATS},
        extra_toml=f"[outbox]\nhttp_timeout_seconds = {HTTP_TIMEOUT}\npoll_seconds = 0.2\n",
    )
    standin.hold_call = HOLD_CALL
    started = time.monotonic()
    await asyncio.to_thread(serve.start)
    try:
        await until(lambda: serving(serve) == 2, timeout=30)  # both workers drain the outbox
        workers = serve.workers()
        assert len(workers) == 2
        await asyncio.to_thread(queue_everything, app)

        await asyncio.wait_for(standin.holding.wait(), timeout=30)
        sender = owner_of(standin.held_from, workers)
        assert sender in workers, "the held call must come from one of the two workers"
        os.kill(sender, signal.SIGKILL)  # no shutdown code runs: its claim stays `sending`
        killed_at = time.monotonic()
        standin.release.set()
        on_the_wire = standin.sent("/cgi-bin/webhook/send")[HOLD_CALL - 1].body["text"]["content"]

        await until(lambda: unfinished(app) == 0, timeout=60)
        drained_at = time.monotonic()
        expected = {chat: [text_of(chat, n) for n in range(1, PER_CHAT + 1)] for chat in CHATS}
        assert arrived_by_chat(standin) == expected  # every message once, none missing, in queue order per group
        final = statuses(app)
        assert Counter(final.values()) == {"sent": len(CHATS) * PER_CHAT - 1, "uncertain": 1}
        assert final[on_the_wire] == "uncertain"  # it reached the platform once and was not resent
        assert cli(["outbox", "--config", str(serve.config)]) == 0
        uncertain = [line for line in capsys.readouterr().out.splitlines() if "\t不确定\t" in line]
        assert len(uncertain) == 1 and on_the_wire in uncertain[0] and DIED_MID_SEND in uncertain[0]

        # the operator checked the group, found nothing, and sends it again by hand
        assert cli(["outbox", "retry", "--uncertain", "--config", str(serve.config)]) == 0
        assert "已重新排队 1 条不确定的消息" in capsys.readouterr().out
        await until(lambda: statuses(app)[on_the_wire] == "sent", timeout=10)
        assert arrived_by_chat(standin)[on_the_wire.split()[0]].count(on_the_wire) == 2
        assert sender not in serve.workers() and "exited with -9; starting it again" in serve.log.read_text()
    finally:
        standin.release.set()
        await asyncio.to_thread(serve.stop)
        app.close()
    with capsys.disabled():
        print(f"\nkilled worker {sender} holding {on_the_wire!r} (call {HOLD_CALL}/{len(CHATS) * PER_CHAT}); "
              f"outbox drained {drained_at - killed_at:.1f} s after the kill; test {time.monotonic() - started:.1f} s")
