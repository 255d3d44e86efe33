"""Two outbox workers (two processes' worth: separate engines, separate connections) draining one
outbox at the same time: every message goes out once, in order per group, and the per-group rate
of 20 a minute holds for the two together, because it is counted in the database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import build_app
from bot.delivery import DeliveryReport, OutboxWorker
from bot.outbox_admin import retry_uncertain
from bot.platforms import build_senders
from tests.factories import outbox_rows
from tests.test_outbox_delivery import GROUPS, app, queue_messages, texts_by_group  # noqa: F401  (app: with platforms)


@pytest.fixture
def second_app(app, clock):
    other = build_app(app.settings, clock=clock, migrate_db=False)
    yield other
    other.close()


async def run_both(first: OutboxWorker, second: OutboxWorker) -> int:
    reports = await asyncio.gather(asyncio.to_thread(first.run_once), asyncio.to_thread(second.run_once))
    return sum(r.sent for r in reports)


async def test_two_workers_send_each_message_once_in_order_within_one_shared_rate(world, second_app, clock, standin):
    app = world.app
    queue_messages(app, per_group=25)
    first, second = OutboxWorker(app, build_senders(app)), OutboxWorker(second_app, build_senders(second_app))
    assert await run_both(first, second) == 3 * 20  # the first minute: 20 per group, not 20 per worker
    clock.advance(seconds=30)
    assert await run_both(first, second) == 0
    clock.advance(seconds=31)
    assert await run_both(first, second) == 3 * 5
    expected = {chat: [f"{chat} 第{n}条" for n in range(1, 26)] for _, chat in GROUPS}
    assert texts_by_group(standin) == expected  # each once, in order per group
    assert {r.status for r in outbox_rows(app)} == {"sent"}


async def test_a_row_another_worker_is_sending_is_neither_resent_nor_overtaken(world, second_app, clock, standin):
    app = world.app
    queue_messages(app, per_group=2)
    worker = OutboxWorker(app, build_senders(app))
    oldest, platform, chat_id = worker._heads(None)[0]
    claim = worker._claim(oldest, (platform, chat_id), set())  # the other worker is sending the oldest row
    other = OutboxWorker(second_app, build_senders(second_app))
    assert other.recover() == 0  # a live claim is not mistaken for a dead worker's
    report = await asyncio.to_thread(other.run_once)
    sent_to_first_chat = texts_by_group(standin)[claim.chat[1]]
    assert sent_to_first_chat == []  # its second row waits behind the one in flight
    assert report.sent == 4


async def test_a_send_that_outlived_its_claim_does_not_overwrite_what_happened_to_the_row_meanwhile(
    world, second_app, clock, standin
):
    """Worker A claims a row and hangs (a frozen VM) past the lease; worker B takes the row for a dead
    worker's (uncertain), the operator queues it again, B sends it. When A's send finally comes back
    refused, A must not put the row back to pending: it was delivered, and pending would send it twice."""
    app = world.app
    queue_messages(app, per_group=1)
    first, second = OutboxWorker(app, build_senders(app)), OutboxWorker(second_app, build_senders(second_app))
    oldest, platform, chat_id = first._heads(None)[0]
    stale = first._claim(oldest, (platform, chat_id), set())
    clock.advance(seconds=31)  # past 3 × the HTTP timeout: the claim looks like a dead worker's
    assert second.recover() == 1
    assert retry_uncertain(second_app) == 1
    assert (await asyncio.to_thread(second.run_once)).sent == 3
    standin.faults = ["500"]  # A's send, late: the platform refuses it
    first._deliver(stale, DeliveryReport(), set())
    [row] = [r for r in outbox_rows(app) if r.id == oldest]
    assert row.status == "sent"
    clock.advance(seconds=600)
    assert (await asyncio.to_thread(second.run_once)).sent == 0  # nothing goes out a second time
    assert sum(texts.count(row.text) for texts in texts_by_group(standin).values()) == 1
