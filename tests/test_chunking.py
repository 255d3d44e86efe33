"""Long messages are split at the platform's size limit, on line boundaries, mentions kept."""

from bot.chunking import split_text
from bot.messages import Reply
from tests.factories import outbox_rows


def test_short_text_is_one_part():
    assert split_text("短消息", 2048) == ["短消息"]


def test_parts_fit_the_byte_limit_and_keep_every_line():
    lines = [f"{i:03d} 号 某某某 迟到 12 分钟" for i in range(300)]
    parts = split_text("\n".join(lines), 2048)
    assert all(len(p.encode()) <= 2048 for p in parts)
    kept = [line for p in parts for line in p.split("\n") if line != "（续）"]
    assert kept == lines
    assert all(p.startswith("（续）") for p in parts[1:])


def test_one_enormous_line_is_cut_not_lost():
    parts = split_text("字" * 1000, 2048)
    assert "".join(p.removeprefix("（续）\n") for p in parts) == "字" * 1000


def test_outbox_splits_wecom_text_and_keeps_mentions_with_their_lines(world):
    with world.app.unit_of_work() as uow:
        from bot.context import Context

        ctx = Context.for_job(world.app, uow.session)
        filler = "\n".join("某村 某某某 已到" for _ in range(150))
        text = f"@张建国 请注意\n{filler}\n@李秀英 请注意"
        mentions = (world.members["张建国"], world.members["李秀英"])
        ctx.outbox.enqueue(Reply(text, mentions=mentions), platform="wecom", chat_id="wx-yazhuang", dedupe_key="k")
        uow.commit()
    rows = outbox_rows(world.app, "wecom", "wx-yazhuang")
    assert len(rows) == 2
    assert rows[0].mentions == ["zhangjg"] and rows[1].mentions == ["lixy"]
    assert [r.dedupe_key for r in rows] == ["k", "k#2"]
