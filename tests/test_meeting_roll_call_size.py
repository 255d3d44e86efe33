"""A roll call of 600 expected attendees fits WeCom's 2048-byte text limit in as few messages as
the limit allows, with each @mention kept with the message that shows the name."""

from bot.chunking import CONTINUED, TEXT_LIMITS
from storage.models import Member
from storage.repositories import OrgRepository
from tests.factories import outbox_rows
from tests.meeting_helpers import at, sweep

LIMIT = TEXT_LIMITS["wecom"]


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def fewest_parts(lines: list[str]) -> int:
    """Fewest messages for these lines in order: greedy packing is optimal for contiguous parts."""
    parts, current = 0, None
    for line in lines:
        prefix = size(CONTINUED) + 1 if parts else 0
        if current is None:
            current = size(line)
        elif prefix + current + 1 + size(line) <= LIMIT:
            current += 1 + size(line)
        else:
            parts, current = parts + 1, size(line)
    return parts + 1


def add_villagers(world, count: int) -> dict[str, str]:
    """`count` members of 雅庄村 with WeCom accounts; returns name -> WeCom user id."""
    accounts = {}
    with world.app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        for index in range(count):
            member = Member(township_id=world.township_id, village_id=world.villages["雅庄村"],
                            name=f"党员{index:03d}号", role="党员", active=True)
            uow.session.add(member)
            uow.session.flush()
            org.set_identity(member, "wecom", f"wx-{index:03d}")
            accounts[member.name] = f"wx-{index:03d}"
        uow.commit()
    return accounts


def test_600_absent_fit_in_the_fewest_messages_with_mentions_in_place(world, clock):
    accounts = add_villagers(world, 595)  # + 张建国 李秀英 王伟 陈静 周敏 = 600 expected
    chat = world.chat("wx-yazhuang")
    assert chat.reply("/会议 新建 2026-11-28 09:00 党员大会 参会：全体", "zhangjg").endswith("应到 600 人，将在会前提醒")
    accounts.update({"李秀英": "lixy", "王伟": "wangw", "陈静": "chenj"})
    clock.set(at("2026-11-28 08:45"))
    chat.reply("/签到", "zhangjg")
    clock.set(at("2026-11-28 09:10"))
    before = len(outbox_rows(world.app, "wecom", "wx-yazhuang"))
    sweep(world.app)
    rows = outbox_rows(world.app, "wecom", "wx-yazhuang")[before:]
    assert rows[0].text.split("\n")[1] == "应到 600 人｜实到 1 人｜迟到 0 人｜缺席 599 人｜请假 0 人"
    whole = "\n".join([rows[0].text, *(r.text.split("\n", 1)[1] for r in rows[1:])])
    assert len(rows) == fewest_parts(whole.split("\n")) >= -(-size(whole) // LIMIT)
    assert len(rows) > 1 and all(size(r.text) <= LIMIT for r in rows)
    for row in rows:
        shown = {line[1:] for line in row.text.split("\n") if line.startswith("@")}
        assert sorted(row.mentions) == sorted(accounts[name] for name in shown if name in accounts)
    assert sum(len(r.mentions) for r in rows) == 598  # 周敏 has no WeCom account to @
