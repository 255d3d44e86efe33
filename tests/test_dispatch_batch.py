"""Group commit: messages ready at the same moment share one transaction, a savepoint each. What a
cadre sees must not change: every message gets its own reply, one message's failure touches no
other, and a redelivered message id is still handled once."""

from sqlalchemy import event, func, select

from bot.dispatcher import Outcome
from bot.outbox import OutboxWriter
from storage.models import Checkin, ProcessedMessage
from tests.factories import message, outbox_rows

CADRES = ("zhangjg", "lixy", "wangw", "chenj")


def checkins(app) -> list[int]:
    with app.unit_of_work() as uow:
        return list(uow.session.scalars(select(Checkin.member_id).order_by(Checkin.id)))


def texts(app) -> list[str]:
    return [row.text for row in outbox_rows(app, "wecom", "wx-yazhuang")]


def order_of_raises_for(world, monkeypatch, name: str, error: Exception) -> None:
    """The /打卡 handler raises `error` for one cadre (a refusal or a bug), after their check-in row."""
    from handlers import checkin

    order_of = checkin.CheckinRepository.order_of

    def raising_for_one(self, row):
        if row.member_id == world.members[name]:
            raise error
        return order_of(self, row)

    monkeypatch.setattr(checkin.CheckinRepository, "order_of", raising_for_one)


def count_commits(app) -> list[int]:
    commits = [0]
    event.listen(app.engine, "commit", lambda _connection: commits.__setitem__(0, commits[0] + 1))
    return commits


def test_a_batch_of_checkins_is_one_commit_and_everyone_gets_their_own_reply(world, clock):
    commits = count_commits(world.app)
    results = world.app.dispatcher.handle_batch([message("/打卡", sender=s, at=clock.now()) for s in CADRES])
    assert [r.outcome for r in results] == [Outcome.HANDLED] * 4
    assert commits == [1]
    assert texts(world.app) == [
        "✅ 张建国 07:50 打卡成功，今日第 1 位",
        "✅ 李秀英 07:50 打卡成功，今日第 2 位",
        "✅ 王伟 07:50 打卡成功，今日第 3 位",
        "✅ 陈静 07:50 打卡成功，今日第 4 位",
    ]


def test_a_message_that_fails_outside_its_handler_leaves_the_others_untouched(world, clock, monkeypatch):
    enqueue, enqueue_later = OutboxWriter.enqueue, OutboxWriter.enqueue_later

    def failing_for_lixy(queue):
        def queue_unless_lixy(self, reply, **kwargs):
            if "李秀英" in reply.text:
                raise RuntimeError("outbox full")
            return queue(self, reply, **kwargs)
        return queue_unless_lixy

    monkeypatch.setattr(OutboxWriter, "enqueue", failing_for_lixy(enqueue))
    monkeypatch.setattr(OutboxWriter, "enqueue_later", failing_for_lixy(enqueue_later))
    batch = [message("/打卡", sender=s, message_id=f"b-{s}", at=clock.now()) for s in CADRES]
    results = world.app.dispatcher.handle_batch(batch)
    assert [r.outcome for r in results] == [Outcome.HANDLED, Outcome.FAILED, Outcome.HANDLED, Outcome.HANDLED]
    assert texts(world.app) == [
        "✅ 张建国 07:50 打卡成功，今日第 1 位",
        "系统繁忙，请稍后再发一次",  # the failed one is told to resend (issue 9), and nothing else is kept
        "✅ 王伟 07:50 打卡成功，今日第 2 位",
        "✅ 陈静 07:50 打卡成功，今日第 3 位",
    ]
    assert world.members["李秀英"] not in checkins(world.app)
    # nothing of the failed message was kept, not even its id: handed over again, it goes through
    monkeypatch.setattr(OutboxWriter, "enqueue", enqueue)
    monkeypatch.setattr(OutboxWriter, "enqueue_later", enqueue_later)
    again = world.app.dispatcher.handle_batch([batch[1]])
    assert again[0].outcome is Outcome.HANDLED
    assert texts(world.app)[-1] == "✅ 李秀英 07:50 打卡成功，今日第 4 位"


def test_a_crashing_handler_in_a_batch_gets_a_kind_reply_and_the_others_check_in(world, clock, monkeypatch):
    order_of_raises_for(world, monkeypatch, "王伟", RuntimeError("disk on fire"))
    results = world.app.dispatcher.handle_batch([message("/打卡", sender=s, at=clock.now()) for s in CADRES])
    assert [r.outcome for r in results] == [Outcome.HANDLED] * 4
    replies = texts(world.app)
    assert replies[2].startswith("😥 抱歉，处理「/打卡」时出错了")
    assert replies[3] == "✅ 陈静 07:50 打卡成功，今日第 3 位"
    assert world.members["王伟"] not in checkins(world.app)


def test_the_same_id_twice_in_a_batch_and_a_redelivered_batch_are_handled_once(world, clock):
    first = message("/打卡", sender="zhangjg", message_id="dup", at=clock.now())
    results = world.app.dispatcher.handle_batch([first, first, message("/打卡", sender="lixy", at=clock.now())])
    assert [r.outcome for r in results] == [Outcome.HANDLED, Outcome.DUPLICATE, Outcome.HANDLED]
    assert [r.outcome for r in world.app.dispatcher.handle_batch([first])] == [Outcome.DUPLICATE]
    assert len(texts(world.app)) == 2
    with world.app.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count(ProcessedMessage.id))) == 2


def count_savepoints(app) -> list[int]:
    savepoints = [0]
    event.listen(app.engine, "savepoint", lambda *_: savepoints.__setitem__(0, savepoints[0] + 1))
    return savepoints


def test_a_clean_batch_takes_no_savepoint_and_a_refusal_runs_it_again_with_one_per_handler(world, clock, monkeypatch):
    """Savepoints cost as much as a check-in's own statements: a burst where every handler
    succeeds takes none. A handler that refuses (raises) sends the batch round again, each handler
    in its own savepoint, so only the refused one's writes go and its sender gets the reason."""
    from bot.errors import UserError

    savepoints, commits = count_savepoints(world.app), count_commits(world.app)
    world.app.dispatcher.handle_batch([message("/打卡", sender=s, at=clock.now()) for s in CADRES[:2]])
    assert savepoints == [0] and commits == [1]

    order_of_raises_for(world, monkeypatch, "陈静", UserError("❌ 今天不用打卡"))
    results = world.app.dispatcher.handle_batch([message("/打卡", sender=s, at=clock.now()) for s in CADRES[2:]])
    assert [r.outcome for r in results] == [Outcome.HANDLED] * 2
    assert savepoints == [2] and commits == [2]  # the first round was rolled back, not committed
    assert texts(world.app)[-2:] == ["✅ 王伟 07:50 打卡成功，今日第 3 位", "❌ 今天不用打卡"]
    assert world.members["陈静"] not in checkins(world.app)


def test_a_connection_lost_at_the_commit_gets_busy_even_when_the_rollback_fails_too(world, clock, monkeypatch):
    """The database went away between the handler and the commit, and the rollback cannot reach
    it either: `handle` still answers (FAILED, busy reply queued once the database is back) and
    never raises into the adapter or the inbox loop."""
    from sqlalchemy.exc import OperationalError

    from storage.repositories.messages import OutboxRepository
    from storage.uow import UnitOfWork

    def lost(*_args, **_kwargs):
        raise OperationalError("COMMIT", {}, RuntimeError("the connection is lost"))

    close = UnitOfWork.__exit__

    def rollback_lost_too(self, *exc_info):
        close(self, *exc_info)  # the session is gone, and saying so fails as on a broken connection
        if exc_info[0] is not None:
            lost()

    def rollback_lost(self):
        self.session.rollback()
        lost()

    monkeypatch.setattr(OutboxRepository, "write_held_rows", lost)
    monkeypatch.setattr(UnitOfWork, "__exit__", rollback_lost_too)
    monkeypatch.setattr(UnitOfWork, "rollback", rollback_lost)
    result = world.app.dispatcher.handle(message("/打卡", sender="zhangjg", message_id="lost-1", at=clock.now()))
    assert result.outcome is Outcome.FAILED
    monkeypatch.undo()
    again = world.app.dispatcher.handle(message("/打卡", sender="zhangjg", message_id="lost-1", at=clock.now()))
    assert again.outcome is Outcome.HANDLED
    assert world.members["张建国"] in checkins(world.app)
