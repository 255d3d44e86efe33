"""The outbox worker against local stand-ins of the WeCom webhook and the DingTalk robot API that
answer with rate-limit errors for a while: everything arrives afterwards, exactly once, in order
per group, never faster than the per-group limit; a restart resumes without resending."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from bot.app import build_app
from bot.delivery import OutboxWorker
from bot.messages import Reply
from bot.outbox import OutboxWriter
from bot.platform_config import DingTalkSettings, WeComSettings
from bot.platforms import build_senders
from storage.models import OutboxMessage
from storage.repositories import OrgRepository
from tests.factories import outbox_rows

GROUPS = [("wecom", "wx-yazhuang"), ("wecom", "wx-zhiying"), ("dingtalk", "dt-lianhu")]


@pytest.fixture
def app(settings, clock, standin):
    wecom = WeComSettings(
        enabled=True, api_base=standin.base, webhook_keys={"wx-yazhuang": "key-yz", "wx-zhiying": "key-zy"}
    )
    dingtalk = DingTalkSettings(enabled=True, client_id="ding-app", client_secret="s", api_base=standin.base)
    application = build_app(
        settings.model_copy(update={"wecom": wecom, "dingtalk": dingtalk}), clock=clock, migrate_db=False
    )
    yield application
    application.close()


def queue_messages(app, per_group: int) -> None:
    """Interleaved across the groups, as a morning roll call would queue them."""
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        writer = OutboxWriter(uow.session, app.clock)
        for n in range(1, per_group + 1):
            for platform, chat_id in GROUPS:
                writer.to_group(org.group(platform, chat_id), Reply(f"{chat_id} 第{n}条"), dedupe_key=f"t-{chat_id}-{n}")
        uow.commit()


def texts_by_group(standin: StandIn) -> dict[str, list[str]]:
    by_group: dict[str, list[str]] = {chat: [] for _, chat in GROUPS}
    keys = {"key-yz": "wx-yazhuang", "key-zy": "wx-zhiying"}
    for call in standin.received:
        if call.path == "/cgi-bin/webhook/send":
            by_group[keys[call.query["key"]]].append(call.body["text"]["content"])
        else:
            by_group[call.body["openConversationId"]].append(json.loads(call.body["msgParam"])["content"])
    return by_group


async def test_rate_limited_platforms_get_everything_once_in_order_within_the_limit(world, app, clock, standin):
    queue_messages(app, per_group=25)
    standin.refuse_first = 10  # the platforms answer 45009 / 429 Throttling to the first 10 calls
    worker = OutboxWorker(app, build_senders(app))
    start, retried, passes = clock.now(), 0, 0
    while any(r.status == "pending" for r in outbox_rows(app)):
        report = await asyncio.to_thread(worker.run_once)
        retried += report.retried
        passes += 1
        clock.advance(seconds=5)
        assert passes < 200, "delivery did not finish"
    assert retried == 10 == len(standin.refused)
    expected = {chat: [f"{chat} 第{n}条" for n in range(1, 26)] for _, chat in GROUPS}
    assert texts_by_group(standin) == expected  # each once, in order per group
    rows = outbox_rows(app)
    assert {r.status for r in rows} == {"sent"}
    for _, chat in GROUPS:  # never more than 20 in any 60 s per group
        times = sorted(r.sent_at for r in rows if r.chat_id == chat)
        assert all(times[i + 20] - times[i] >= timedelta(seconds=60) for i in range(len(times) - 20))
    assert clock.now() - start >= timedelta(seconds=60)  # 25 per group cannot go in one minute


async def test_a_restart_resumes_pending_rows_and_never_resends_one_in_flight(world, app, standin):
    queue_messages(app, per_group=3)
    with app.unit_of_work() as uow:  # the process died after claiming the first row
        first = uow.session.get(OutboxMessage, 1)
        first.status = "sending"
        uow.commit()
    worker = OutboxWorker(app, build_senders(app))  # the new process
    assert worker.recover() == 1
    report = await asyncio.to_thread(worker.run_once)
    assert report.sent == 8
    assert "wx-yazhuang 第1条" not in texts_by_group(standin)["wx-yazhuang"]
    assert texts_by_group(standin)["wx-yazhuang"] == ["wx-yazhuang 第2条", "wx-yazhuang 第3条"]
    assert {r.status for r in outbox_rows(app)} == {"sent", "uncertain"}


async def test_a_refused_webhook_key_fails_that_row_and_the_group_moves_on(world, app, standin):
    app.settings.wecom.webhook_keys.clear()  # no key for the groups any more, no app either
    queue_messages(app, per_group=1)
    report = await asyncio.to_thread(OutboxWorker(app, build_senders(app)).run_once)
    assert (report.sent, report.failed) == (1, 2)
    failed = [r for r in outbox_rows(app) if r.status == "failed"]
    assert {r.chat_id for r in failed} == {"wx-yazhuang", "wx-zhiying"}
    assert all(r.last_error for r in failed)
