"""Messages arriving at the same moment from several callback threads (platform retries, double
taps) still give one effect and one reply each, on SQLite and on PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import func, select

from storage.models import Checkin, OutboxMessage
from tests.factories import message


def deliver_at_once(app, messages):
    barrier = Barrier(len(messages))

    def deliver(msg):
        barrier.wait()
        return app.dispatcher.handle(msg)

    with ThreadPoolExecutor(len(messages)) as pool:
        return list(pool.map(deliver, messages))


def counts(app):
    with app.unit_of_work() as uow:
        return (
            uow.session.scalar(select(func.count(Checkin.id))),
            uow.session.scalar(select(func.count(OutboxMessage.id))),
        )


def test_three_simultaneous_retries_of_one_message_check_in_once_and_reply_once(world, clock):
    retries = [message("/打卡", sender="zhangjg", message_id="same-id", at=clock.now()) for _ in range(3)]
    outcomes = sorted(r.outcome.value for r in deliver_at_once(world.app, retries))
    assert outcomes == ["duplicate", "duplicate", "handled"]
    assert counts(world.app) == (1, 1)


def test_double_tap_gives_one_checkin_and_tells_the_second_it_is_done(world, clock):
    taps = [message("/打卡", sender="zhangjg", message_id=f"tap-{i}", at=clock.now()) for i in range(2)]
    replies = sorted(r.replies[0].text for r in deliver_at_once(world.app, taps))
    assert replies == sorted(["张建国，今天已于 07:50 打卡", "✅ 张建国 07:50 打卡成功，今日第 1 位"])
    assert counts(world.app) == (1, 2)
