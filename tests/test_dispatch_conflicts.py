"""Two transactions that wait on each other: PostgreSQL aborts one of them (a deadlock). When the
aborted one is a dispatcher's, that is nobody's mistake: the message is handled again at once, and
its sender gets the ordinary answer, not "系统繁忙，请稍后再发一次".

The other transaction here is a plain connection standing in for a second worker: it takes the
cadre's check-in key first, waits until the dispatcher is stuck behind it, then asks for the key
the dispatcher took before (the message's processed-id mark). SQLite has one writer at a time and
never deadlocks, so this runs on PostgreSQL only."""

import threading
import time

import psycopg
import pytest
from sqlalchemy import select

from bot.dispatcher import Outcome
from storage.models import Checkin, Member
from tests.factories import message, outbox_rows


def _conninfo(app) -> str:
    return app.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _wait_until_blocked(interloper: psycopg.Connection, timeout: float = 10.0) -> None:
    """Until some other backend of this database waits for a lock (the dispatcher, behind us)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = interloper.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        ).fetchone()[0]
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("the dispatcher never waited for the check-in key")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_dispatch_aborted_by_a_deadlock_is_run_again_and_the_cadre_gets_the_real_answer(world, clock):
    app = world.app
    with app.unit_of_work() as uow:
        member = uow.session.scalar(select(Member).where(Member.name == "张建国"))
        member_id, village_id = member.id, member.village_id
    day, at = clock.now().date(), clock.now().replace(tzinfo=None)

    monitor = psycopg.connect(_conninfo(app), autocommit=True)
    interloper = psycopg.connect(_conninfo(app))
    interloper.execute("SET deadlock_timeout = '30s'")  # the dispatcher (1 s) is the one PostgreSQL aborts
    interloper.execute(
        "INSERT INTO checkins (member_id, day, checked_at, late, village_id, source) VALUES (%s, %s, %s, false, %s, 'chat')",
        (member_id, day, at, village_id),
    )
    results = []
    dispatching = threading.Thread(
        target=lambda: results.append(app.dispatcher.handle(message("/打卡", message_id="dl-1", at=clock.now())))
    )
    dispatching.start()
    try:
        _wait_until_blocked(monitor)
        # now wait for the dispatcher's uncommitted mark of dl-1: each waits for the other
        interloper.execute(
            "INSERT INTO processed_messages (platform, message_id, received_at) VALUES ('wecom', 'dl-1', %s)"
            " ON CONFLICT DO NOTHING", (at,),
        )
        interloper.rollback()  # the stand-in worker gives up its check-in: the dispatcher's run again gets it
    finally:
        dispatching.join(30)
        interloper.close()
        monitor.close()

    assert [result.outcome for result in results] == [Outcome.HANDLED]
    assert [row.text for row in outbox_rows(app, "wecom", "wx-yazhuang")] == ["✅ 张建国 07:50 打卡成功，今日第 1 位"]
    with app.unit_of_work() as uow:
        assert list(uow.session.scalars(select(Checkin.member_id))) == [member_id]
