"""/打卡 — what a cadre sees when checking in, on every database the bot supports."""

from datetime import timedelta

from sqlalchemy import func, select

from storage.models import Checkin, ProcessedMessage


def count_checkins(app) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(Checkin.id)))


def test_first_checkin_replies_with_time_and_order(world, clock):
    chat = world.chat()
    clock.set(clock.now().replace(hour=8, minute=2))
    assert chat.reply("/打卡", "zhangjg") == "✅ 张建国 08:02 打卡成功，今日第 1 位"
    clock.advance(minutes=1)
    assert chat.reply("/打卡", "lixy") == "✅ 李秀英 08:03 打卡成功，今日第 2 位"


def test_order_counts_per_village(world, clock):
    world.chat().reply("/打卡", "zhangjg")
    assert world.chat("dt-lianhu").reply("/打卡", "liuy").endswith("今日第 1 位")


def test_second_checkin_same_day_says_when(world, clock):
    chat = world.chat()
    clock.set(clock.now().replace(hour=8, minute=2))
    chat.reply("/打卡", "zhangjg")
    clock.advance(hours=2)
    assert chat.reply("/打卡", "zhangjg") == "张建国，今天已于 08:02 打卡"
    assert count_checkins(world.app) == 1


def test_next_day_is_a_new_checkin(world, clock):
    chat = world.chat()
    chat.reply("/打卡", "zhangjg")
    clock.advance(days=1)
    assert chat.reply("/打卡", "zhangjg").startswith("✅ 张建国")
    assert count_checkins(world.app) == 2


def test_after_late_time_record_and_reply_say_late(world, clock):
    clock.set(clock.now().replace(hour=8, minute=31))
    chat = world.chat()
    assert chat.reply("/打卡", "wangw") == "⏰ 王伟 08:31 打卡成功（迟到），今日第 1 位"
    with world.app.unit_of_work() as uow:
        assert uow.session.scalar(select(Checkin.late)) is True
    assert chat.reply("/打卡", "wangw") == "王伟，今天已于 08:31 打卡（迟到）"


def test_exactly_at_late_time_is_on_time(world, clock):
    clock.set(clock.now().replace(hour=8, minute=30, second=0))
    assert world.chat().reply("/打卡", "wangw").startswith("✅")


def test_unbound_sender_is_told_how_to_bind_and_nothing_is_stored(world):
    reply = world.chat().reply("/打卡", "stranger-01")
    assert "/绑定" in reply
    assert count_checkins(world.app) == 0


def test_same_message_id_delivered_three_times_checks_in_once_and_replies_once(world):
    chat = world.chat()
    results = [chat.send("/打卡", "zhangjg", message_id="wx-msg-42") for _ in range(3)]
    assert [r.outcome.value for r in results] == ["handled", "duplicate", "duplicate"]
    assert len(chat.new_texts()) == 1
    assert count_checkins(world.app) == 1
    with world.app.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count(ProcessedMessage.id))) == 1


def test_same_id_on_two_platforms_are_different_messages(world):
    world.chat().send("/打卡", "zhangjg", message_id="same")
    world.chat("dt-lianhu").send("/打卡", "liuy", message_id="same")
    assert count_checkins(world.app) == 2


def test_checkin_time_is_the_message_time_in_shanghai(world, clock):
    chat = world.chat()
    clock.set(clock.now().replace(hour=23, minute=59))
    chat.reply("/打卡", "zhangjg")
    clock.advance(minutes=2)  # 00:01 the next day: a new day in Shanghai
    assert chat.reply("/打卡", "zhangjg").startswith("✅ 张建国 00:01")
    with world.app.unit_of_work() as uow:
        days = sorted(uow.session.scalars(select(Checkin.day)))
    assert days[1] - days[0] == timedelta(days=1)
