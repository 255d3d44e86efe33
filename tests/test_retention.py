"""Retention: the nightly prune deletes the delivery bookkeeping older than `[retention] days` (30):
handled inbox rows, processed-id marks, sent and dismissed outbox rows. What the township relies on
stays, however old: check-ins and the other records, and every row an operator may still have to
look at (failed, rejected, uncertain, pending)."""

from datetime import timedelta

from sqlalchemy import select

from scheduler import runtime
from scheduler.retention_jobs import prune_old_rows
from storage.models import Checkin, InboxMessage, OutboxMessage, ProcessedMessage
from storage.retention import Pruned, prune_before


def _inbox(message_id: str, status: str, at) -> InboxMessage:
    return InboxMessage(platform="wecom", message_id=message_id, status=status, payload={}, received_at=at, attempts=0)


def _outbox(text: str, status: str, at) -> OutboxMessage:
    return OutboxMessage(platform="wecom", chat_id="wx-yazhuang", text=text, markdown=False, mentions=[], status=status,
                         attempts=1, created_at=at, next_attempt_at=at)


def _left(app, column) -> list:
    with app.unit_of_work() as uow:
        return sorted(uow.session.scalars(select(column)))


def test_the_nightly_prune_deletes_old_bookkeeping_and_keeps_records_and_what_operators_need(world, clock):
    app = world.app
    assert world.chat().reply("/打卡", "zhangjg").startswith("✅ 张建国")  # a check-in, its mark, its reply
    month_ago, yesterday = clock.now() - timedelta(days=31), clock.now() - timedelta(days=1)
    with app.unit_of_work() as uow:
        uow.session.add_all([
            _inbox("old-handled", "handled", month_ago), _inbox("new-handled", "handled", yesterday),
            _inbox("old-failed", "failed", month_ago), _inbox("old-rejected", "rejected", month_ago),
            _outbox("old-sent", "sent", month_ago), _outbox("old-dismissed", "dismissed", month_ago),
            _outbox("new-sent", "sent", yesterday), _outbox("old-uncertain", "uncertain", month_ago),
            _outbox("old-failed", "failed", month_ago),
            ProcessedMessage(platform="wecom", message_id="old-mark", received_at=month_ago),
        ])
        uow.commit()
    clock.advance(days=31)  # the check-in of the first line is now a month old too
    runtime.bind(app)
    try:
        pruned = prune_old_rows()
    finally:
        runtime.bind(None)

    assert pruned == Pruned(inbox=2, processed_ids=2, outbox=3)
    assert _left(app, InboxMessage.message_id) == ["old-failed", "old-rejected"]
    assert _left(app, ProcessedMessage.message_id) == []
    assert _left(app, OutboxMessage.text) == ["old-failed", "old-uncertain", "✅ 张建国 07:50 打卡成功，今日第 1 位"]
    assert len(_left(app, Checkin.id)) == 1  # the township's record is never pruned


def test_a_large_backlog_goes_in_chunks_until_nothing_old_is_left(app, clock):
    month_ago = clock.now() - timedelta(days=40)
    with app.unit_of_work() as uow:
        uow.session.add_all(_inbox(f"m{n}", "handled", month_ago) for n in range(7))
        uow.commit()
    assert prune_before(app.engine, clock.now() - timedelta(days=30), chunk=3) == Pruned(inbox=7, processed_ids=0, outbox=0)
    assert _left(app, InboxMessage.id) == []
