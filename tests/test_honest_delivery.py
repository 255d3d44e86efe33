"""A row is `sent` only when the platform accepted it. The WeCom webhook stand-in answers with an
HTML 404 page, a 500, a timeout and rate-limit errcodes for a while: no row is marked sent that the
stand-in did not take, each failure keeps its HTTP status and an excerpt of the answer, and after
the faults (and the operator's retry of the uncertain row) every message arrived exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.delivery import OutboxWorker
from bot.messages import Reply
from bot.outbox import OutboxWriter
from bot.outbox_admin import dismiss, open_rows, retry_uncertain
from bot.platform_config import OutboxSettings, WeComSettings
from bot.platforms import build_senders
from storage.models import OutboxMessage
from storage.repositories import OrgRepository


@pytest.fixture
def app(settings, clock, standin):
    wecom = WeComSettings(enabled=True, api_base=standin.base, webhook_keys={"wx-yazhuang": "key-yz"})
    outbox = OutboxSettings(http_timeout_seconds=0.5)
    application = build_app(settings.model_copy(update={"wecom": wecom, "outbox": outbox}), clock=clock, migrate_db=False)
    yield application
    application.close()


def queue(app, texts: list[str]) -> None:
    with app.unit_of_work() as uow:
        group = OrgRepository(uow.session).group("wecom", "wx-yazhuang")
        writer = OutboxWriter(uow.session, app.clock)
        for text in texts:
            writer.to_group(group, Reply(text), dedupe_key=text)
        uow.commit()


def rows(app) -> dict[str, OutboxMessage]:
    with app.unit_of_work() as uow:
        return {row.text: row for row in uow.session.scalars(select(OutboxMessage))}


def received(standin) -> list[str]:
    return [call.body["text"]["content"] for call in standin.sent("/cgi-bin/webhook/send")]


async def test_html_404_5xx_timeout_and_rate_limits_never_count_as_sent(app, world, standin, clock):
    worker = OutboxWorker(app, build_senders(app))
    queue(app, ["通知一", "通知二", "通知三"])
    standin.faults = ["html404", "500", "timeout", "45009", "45009"]

    first = await asyncio.to_thread(worker.run_once)
    assert (first.sent, first.retried) == (0, 1)
    row = rows(app)["通知一"]
    assert (row.status, row.last_status) == ("pending", 404)
    assert "404 Not Found" in row.last_error

    for _ in range(12):  # move the clock past each backoff; the stand-in recovers after 5 calls
        clock.advance(seconds=61)
        await asyncio.to_thread(worker.run_once)
        for text, row in rows(app).items():
            assert row.status != "sent" or text in received(standin), f"{text} marked sent but never taken"

    by_text = rows(app)
    assert by_text["通知一"].status == "uncertain"  # the timeout: it may have arrived
    assert "no answer" in by_text["通知一"].last_error
    assert {by_text["通知二"].status, by_text["通知三"].status} == {"sent"}
    assert [r.status for r in open_rows(app)] == ["uncertain"]

    assert retry_uncertain(app) == 1  # the operator checked the group: 通知一 is not there
    await asyncio.to_thread(worker.run_once)
    assert sorted(received(standin)) == sorted(["通知一", "通知二", "通知三"])
    assert {row.status for row in rows(app).values()} == {"sent"}


async def test_a_bad_key_fails_at_once_with_the_platform_code_and_can_be_dismissed(app, world, standin):
    worker = OutboxWorker(app, build_senders(app))
    queue(app, ["通知四"])
    standin.faults = ["93000"]
    report = await asyncio.to_thread(worker.run_once)
    assert report.failed == 1
    [row] = open_rows(app)
    assert (row.status, row.last_status) == ("failed", 200) and "93000" in row.last_error
    assert dismiss(app, row.id, "群机器人已删除")
    assert open_rows(app) == []
    assert rows(app)["通知四"].last_error == "已忽略：群机器人已删除"


def test_a_long_reply_uses_the_response_url_once_and_the_group_webhook_for_the_rest(app, world, clock):
    with app.unit_of_work() as uow:
        writer = OutboxWriter(uow.session, app.clock)
        long = "\n".join(f"第{n}行：今天的会议纪要内容比较长" for n in range(200))
        writer.enqueue(Reply(long), platform="wecom", chat_id="wx-yazhuang", reply_ref="http://127.0.0.1:9/resp/1")
        writer.enqueue(Reply("另一条"), platform="wecom", chat_id="wx-yazhuang", reply_ref="http://127.0.0.1:9/resp/1")
        uow.commit()
    refs = [row.reply_ref for row in sorted(rows(app).values(), key=lambda r: r.id)]
    assert len(refs) >= 3
    assert refs[0] == "http://127.0.0.1:9/resp/1" and set(refs[1:]) == {None}
