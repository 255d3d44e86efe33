"""Each worker caches who is behind a platform account and which group a chat is; a roster change
made anywhere — this worker, another worker on the same database, a bulk import — is seen by the
next message."""

from sqlalchemy import event, inspect

from bot import texts
from bot.app import build_app
from storage.models import Identity, Member
from storage.roster_cache import bump_roster_version


def test_a_member_deactivated_by_another_worker_is_no_longer_recognised(world, settings, clock):
    chat = world.chat()
    assert chat.reply("/打卡", "zhangjg").startswith("✅ 张建国")  # now cached in this worker
    other_worker = build_app(settings, clock=clock, migrate_db=False)
    try:
        with other_worker.unit_of_work() as uow:
            uow.session.get(Member, world.members["张建国"]).active = False
            uow.commit()
    finally:
        other_worker.close()
    clock.advance(days=1)
    assert chat.reply("/打卡", "zhangjg") == texts.NOT_BOUND.format(name="zhangjg")


def test_an_account_linked_by_another_worker_is_recognised_at_once(world, settings, clock):
    chat = world.chat()
    assert chat.reply("/打卡", "zhoum-wx") == texts.NOT_BOUND.format(name="zhoum-wx")  # cached: unknown
    other_worker = build_app(settings, clock=clock, migrate_db=False)
    try:
        with other_worker.unit_of_work() as uow:
            uow.session.add(Identity(member_id=world.members["周敏"], platform="wecom", user_id="zhoum-wx"))
            uow.commit()
    finally:
        other_worker.close()
    assert chat.reply("/打卡", "zhoum-wx").startswith("✅ 周敏")


def test_a_bulk_write_that_bypasses_the_orm_bumps_the_version_itself(world, clock):
    chat = world.chat()
    assert chat.reply("/打卡", "zhangjg").startswith("✅ 张建国")
    with world.app.engine.begin() as connection:  # as a Core bulk import writes
        connection.execute(Member.__table__.update().where(Member.id == world.members["张建国"]).values(name="张建华"))
        bump_roster_version(connection)
    clock.advance(days=1)
    assert chat.reply("/打卡", "zhangjg").startswith("✅ 张建华")


def test_the_cache_answers_without_asking_the_database_again(world, clock):
    world.chat().reply("/打卡", "zhangjg")  # loads the village's accounts and the group
    statements = []
    event.listen(world.app.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    world.chat().reply("/打卡", "lixy")
    assert not [s for s in statements if "FROM members" in s or "FROM group_chats" in s]


def test_a_cached_member_is_a_live_object_of_the_transaction_that_loads_its_relations(world, clock):
    """The cached snapshot becomes this transaction's own persistent instance: relationships load
    through it, and a change to it is saved like any loaded member's."""
    roster = world.app.roster
    with world.app.unit_of_work() as uow:
        roster.member(uow.session, "wecom", "zhangjg")  # fills the cache
    with world.app.unit_of_work() as uow:
        member = roster.member(uow.session, "wecom", "zhangjg")
        assert inspect(member).persistent and member in uow.session
        assert member.village.name == "雅庄村" and member.township.name
        member.name = "张建国（改）"
        uow.commit()
    with world.app.unit_of_work() as uow:
        assert uow.session.get(Member, member.id).name == "张建国（改）"
