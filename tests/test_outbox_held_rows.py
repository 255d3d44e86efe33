"""A batch's replies are written to the outbox together, in one statement, just before its commit.
Held back or not, a row is never lost, never written twice, and the outbox keeps the order in
which rows were queued: per chat, that is the order the group reads them in."""

import pytest

from bot.messages import Reply
from bot.outbox import OutboxWriter
from tests.factories import outbox_rows


def writer(uow, clock) -> OutboxWriter:
    return OutboxWriter(uow.session, clock)


def test_held_replies_are_written_at_the_commit_in_the_order_they_were_queued(app, clock):
    with app.unit_of_work() as uow:
        out = writer(uow, clock)
        first = out.enqueue_later(Reply("第一条"), platform="wecom", chat_id="g")
        now = out.enqueue(Reply("第二条（立即写入）"), platform="wecom", chat_id="g")
        third = out.enqueue_later(Reply("第三条"), platform="wecom", chat_id="g")
        assert third == [[]]  # held: no id until written
        uow.commit()
    assert [row.text for row in outbox_rows(app, "wecom", "g")] == ["第一条", "第二条（立即写入）", "第三条"]
    ids = [row.id for row in outbox_rows(app, "wecom", "g")]
    assert [first[0][0], now, third[0][0]] == ids


def test_held_replies_of_a_transaction_rolled_back_are_gone(app, clock):
    with app.unit_of_work() as uow:
        writer(uow, clock).enqueue_later(Reply("不会发出"), platform="wecom", chat_id="g")
        uow.rollback()
    with app.unit_of_work() as uow:
        writer(uow, clock).enqueue(Reply("下一条"), platform="wecom", chat_id="g")
        uow.commit()
    assert [row.text for row in outbox_rows(app, "wecom", "g")] == ["下一条"]


def test_a_long_held_reply_is_split_and_its_parts_keep_their_order(app, clock):
    long = "\n".join(f"第{i}行 " + "字" * 60 for i in range(80))
    with app.unit_of_work() as uow:
        slots = writer(uow, clock).enqueue_later(Reply(long), platform="wecom", chat_id="g")
        uow.commit()
    rows = outbox_rows(app, "wecom", "g")
    assert len(rows) == len(slots) > 1
    shown = [line.split()[0] for row in rows for line in row.text.splitlines() if line.startswith("第")]
    assert shown == [f"第{i}行" for i in range(80)]
    assert [slot[0] for slot in slots] == [row.id for row in rows]


def test_held_rows_refuse_to_be_written_inside_a_savepoint(app, clock):
    """A savepoint's rollback would take earlier messages' replies along: rows are held only
    where no savepoint is open, and writing them inside one is a bug that must show."""
    with app.unit_of_work() as uow:
        out = writer(uow, clock)
        out.enqueue_later(Reply("批量回复"), platform="wecom", chat_id="g")
        with uow.session.begin_nested():
            with pytest.raises(RuntimeError, match="savepoint"):
                out.enqueue(Reply("保存点内"), platform="wecom", chat_id="g")
