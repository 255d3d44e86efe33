"""/查: resolutions and minutes found by jieba tokens, best match first, then newest, at most 10."""

RECORD = "/决议 {subject} | 应到9 实到9 | 同意9 反对0 弃权0 | 19:00-19:30"


def test_search_ranks_by_matched_tokens_then_newest(world, clock):
    chat = world.chat()
    chat.reply(RECORD.format(subject="筹建公办幼儿园"), "zhangjg")  # 公办 + 幼儿园: best match
    clock.advance(days=1)
    chat.reply(RECORD.format(subject="幼儿园围墙维修"), "zhangjg")
    clock.advance(days=1)
    chat.reply(RECORD.format(subject="村道硬化"), "zhangjg")
    world.chat("dt-lianhu").reply(RECORD.format(subject="幼儿园门口安装路灯"), "liuy")  # newest partial match
    chat.reply("/纪要 开始 公办幼儿园选址会议", "zhangjg")
    reply = chat.reply("/查 公办幼儿园", "wangw")
    assert reply.splitlines() == [
        "🔎 「公办幼儿园」找到 4 条：",
        "纪要 #1 2026-11-26：公办幼儿园选址会议",
        "决议 #1 2026-11-24 雅庄村：筹建公办幼儿园",
        "决议 #4 2026-11-26 莲湖村：幼儿园门口安装路灯",
        "决议 #2 2026-11-25 雅庄村：幼儿园围墙维修",
    ]


def test_search_shows_at_most_ten(world, clock):
    chat = world.chat()
    for number in range(12):
        chat.reply(RECORD.format(subject=f"第{number}期高标准农田建设"), "zhangjg")
        clock.advance(minutes=1)
    lines = chat.reply("/查 农田", "zhangjg").splitlines()
    assert lines[0] == "🔎 「农田」找到 10 条（最多显示 10 条）："
    assert len(lines) == 11 and lines[1].startswith("决议 #12 ")


def test_search_marks_published_and_says_when_nothing_found(world):
    chat = world.chat()
    chat.reply(RECORD.format(subject="筹建公办幼儿园"), "zhangjg")
    world.chat("wx-zhiying").say("/公开 1", "sunli")
    assert chat.reply("/查 幼儿园", "lixy").endswith("雅庄村：筹建公办幼儿园（已公开）")
    assert chat.reply("/查 养老院", "lixy") == "🔎 没有找到和「养老院」有关的决议或纪要。"


def test_search_without_words_shows_usage(world):
    assert world.chat().reply("/查", "lixy").startswith("用法：\n/查 幼儿园")
