"""The durable inbox: a message is stored before it is acknowledged, handled once, and a restart
handles whatever was stored and not yet handled."""

from __future__ import annotations

import threading
from dataclasses import replace

from sqlalchemy import func, select

from bot.messages import Tap
from bot.runtime import Inbox
from storage.models import Checkin, GroupChat, InboxMessage, OutboxMessage, ProcessedMessage
from tests.factories import message


def count(app, column, *where) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(column)).where(*where))


def test_accepted_messages_are_stored_before_dispatch_and_handled_after_a_restart(app, world, clock):
    first = Inbox(app, workers=1)
    first.intake.start()  # intake only: the process "dies" before dispatching anything
    for n, sender in enumerate(("zhangjg", "lixy", "zhangjg")):
        first.accept(message("/打卡", sender=sender, message_id=f"wx-{n}", at=clock.now()))
    first.accept(message("/打卡", sender="zhangjg", message_id="wx-0", at=clock.now()))  # WeCom's retry
    first.intake.stop()
    assert count(app, InboxMessage.id, InboxMessage.status == "pending") == 3
    assert count(app, Checkin.id) == 0

    second = Inbox(app)
    second.start()
    try:
        assert second.join()
    finally:
        second.stop()
    assert count(app, InboxMessage.id, InboxMessage.status == "handled") == 3
    assert count(app, Checkin.id) == 2
    assert count(app, OutboxMessage.id) == 3  # 2 check-ins, 1 "already checked in today"


def test_a_row_handled_but_not_marked_before_a_crash_is_not_handled_twice(app, world, clock):
    inbox = Inbox(app)
    inbox.intake.start()
    inbox.accept(message("/打卡", sender="lixy", message_id="wx-9", at=clock.now()))
    inbox.intake.stop()
    app.dispatcher.handle(message("/打卡", sender="lixy", message_id="wx-9", at=clock.now()))  # then the crash
    inbox.start()
    try:
        assert inbox.join()
    finally:
        inbox.stop()
    assert count(app, InboxMessage.id, InboxMessage.status == "handled") == 1
    assert count(app, OutboxMessage.id) == 1
    assert count(app, ProcessedMessage.id) == 1


def test_concurrent_callbacks_share_commits(app, world, clock):
    inbox = Inbox(app)
    inbox.intake.start()
    threads = [
        threading.Thread(target=inbox.accept, args=(message("/打卡", message_id=f"c-{n}", at=clock.now()),))
        for n in range(60)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    inbox.intake.stop()
    assert count(app, InboxMessage.id) == 60
    assert inbox.intake.commits < 60


def test_a_message_that_cannot_be_stored_is_not_acknowledged(app, world, clock):
    inbox = Inbox(app)  # never started: nothing can be committed
    try:
        inbox.accept(message("/打卡", message_id="lost", at=clock.now()))
    except Exception as error:
        assert type(error).__name__ == "IntakeFailed"
    else:
        raise AssertionError("accept returned without storing")


def test_a_tap_acked_before_a_restart_is_handled_after_it_and_redraws_its_card(app, world, clock):
    with app.unit_of_work() as uow:
        village_id = uow.session.scalar(select(GroupChat.village_id).where(GroupChat.chat_id == "wx-yazhuang"))
    key = f"checkin_{village_id}_{clock.now():%Y%m%d}"
    tap = replace(message("/打卡", sender="lixy", message_id="tap-1", at=clock.now()), tap=Tap(key))
    first = Inbox(app)
    first.intake.start()
    first.accept(tap)
    first.intake.stop()  # the process "dies" here

    second = Inbox(app)
    second.start()
    try:
        assert second.join()
    finally:
        second.stop()
    with app.unit_of_work() as uow:
        rows = list(uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        assert rows[0].text.startswith("✅ 李秀英")
        assert rows[-1].card["key"] == key and rows[-1].card["update"] is True  # the card is redrawn
    assert count(app, Checkin.id) == 1
