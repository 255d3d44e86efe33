"""What was stored survives the bot process stopping and starting again."""

from bot.app import build_app
from tests.factories import build_world, message


def test_checkin_and_processed_ids_survive_a_restart(settings, clock):
    first = build_app(settings, clock=clock, migrate_db=False)
    build_world(first)
    first.dispatcher.handle(message("/打卡", sender="zhangjg", message_id="wx-1", at=clock.now()))
    first.close()

    clock.advance(hours=1)
    second = build_app(settings, clock=clock)  # migrating again on start is harmless
    redelivered = second.dispatcher.handle(message("/打卡", sender="zhangjg", message_id="wx-1", at=clock.now()))
    assert redelivered.outcome.value == "duplicate"
    again = second.dispatcher.handle(message("/打卡", sender="zhangjg", message_id="wx-2", at=clock.now()))
    assert again.replies[0].text == "张建国，今天已于 07:50 打卡"
    second.close()
