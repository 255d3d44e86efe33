"""A seeded, bounded fuzz of every command with hostile arguments — garbled, huge, full-width,
zero-width, RTL, emoji, SQL-ish, formula-ish, markdown-ish, NUL and out-of-range — from every actor
in every place, on SQLite and PostgreSQL. Two layers:

1. the shared argument parser, for every declared command (no database, many inputs);
2. the whole dispatcher (edge cleaning, middleware, router, policy, handlers, outbox).

What must hold: no unhandled exception and no 出错了 / 系统繁忙; every reply is Chinese; every queued
part fits the platform's limit; a refused input (⛔, or a usage reply) added no row to any table.
"""

from __future__ import annotations

import random
import re
import time

from sqlalchemy import text as sql

from bot.app import build_command_table
from bot.chunking import limit_for
from bot.contract import ArgError, parse_args
from bot.texts import BUSY
from storage.base import Base
from storage.models import OutboxMessage
from tests.factories import message
from tests.matrix_world import ACTORS, BOOKKEEPING, PLACES, build_matrix_world

SEED = 20261127
DISPATCHED_PER_DATABASE = 700
PARSED_PER_COMMAND = 300
CHINESE = re.compile(r"[\u4e00-\u9fff]")

HOSTILE = [
    "²", "①", "１２", "＃１", "#1", "1", "2", "0", "-1", "99999999999", "1234567890123456789012345",
    "0000-01", "9999-12-31", "2026-02-30", "1-5", "13月", "0月", "25:61", "14:30", "下午3点", "明天",
    "99999999999分钟", "截止 99999999999分钟", "截止 30分钟", "截止 25:00", "主题：", "参会：全体", "地点：" + "楼" * 300,
    "'; DROP TABLE members; --", "1 OR 1=1", "\x00", "a\x00b", "\u200b\u200b", "\u202e反转文字\u202c", "\u200f",
    "😀🎉👍🏽", "=HYPERLINK(\"http://evil.example\",\"点我\")", "=1+1", "+1", "@SUM(A1)",
    "[点我](http://evil.example)", "<@sunli>", "@all", "全村", "全镇", "确认", "新建", "取消", "开始", "结束",
    "\u3000", "Ｘ", "王　伟", "王\u200b伟", "周敏", "雅庄村", "莲湖村", "10月", "2026-11", "11-25", "%s%n", "{0}",
    "${jndi:ldap://x}", "修路 | 应到99999999999 实到9 | 同意9 反对0 弃权0 | 19:00-19:30", "会议:" + "会" * 200,
    "实到 99999999999", "开始 99:99", "字" * 10_000, "1" * 5000, "a " * 3000, "\n\n\n", "\t", "／", "#", "＃", "..", "﷽",
]


def _words(commands) -> list[str]:
    words = ["打咔", "", "帮", "X" * 200]
    for command in commands:
        words += [command.name, *command.aliases]
        if command.sub:
            words.append(f"{command.name} {command.sub}")
    return words


def _garble(rng: random.Random, words: list[str]) -> str:
    prefix = rng.choice(["/", "／", "", "@村务助手 ", "/ "])
    args = " ".join(rng.choice(HOSTILE) for _ in range(rng.randint(0, 5)))
    return f"{prefix}{rng.choice(words)} {args}"


def test_the_argument_parser_reads_or_refuses_in_one_short_chinese_line():
    rng = random.Random(SEED)
    commands = [c for c in build_command_table().commands if c.args]
    count = 0
    for command in commands:
        for _ in range(PARSED_PER_COMMAND):
            text = " ".join(rng.choice(HOSTILE) for _ in range(rng.randint(0, 6)))
            count += 1
            try:
                parse_args(command.args, text, rng.choice([__import__("datetime").date(2026, 12, 28)]))
            except ArgError as error:
                said = str(error)
                assert not said or (CHINESE.search(said) and len(said) < 120), said
    print(f"\nparser fuzz: {count} argument texts over {len(commands)} commands")


def _row_counts(app) -> tuple[int, ...]:
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in BOOKKEEPING]
    query = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{name}")' for name in tables)
    with app.engine.connect() as connection:
        return tuple(connection.execute(sql(query)).one())


def test_hostile_messages_get_chinese_replies_within_limits_and_refusals_store_nothing(app, clock):
    world = build_matrix_world(app)
    world.chat().say("/绑定 周敏", "zhoumin-wx")
    world.chat().say("/请假 11-30 参加培训", "wangw")
    commands = build_command_table().commands
    words, rng = _words(commands), random.Random(SEED)
    problems, started, answered, refused = [], time.perf_counter(), 0, 0
    after = _row_counts(app)
    for n in range(DISPATCHED_PER_DATABASE):
        text, sender, chat = _garble(rng, words), rng.choice(list(ACTORS.values())), rng.choice(list(PLACES.values()))
        platform = "wecom"
        if rng.random() < 0.2:  # DingTalk: other limits, other accounts
            platform, chat, sender = "dingtalk", "dt-lianhu", rng.choice(["liuy", "zhaol", "sunli-dt", "stranger"])
        before = after
        result = app.dispatcher.handle(
            message(text, sender=sender, chat=chat, platform=platform, at=clock.now(), message_id=f"fz-{n}")
        )
        replies = [r.text for r in result.replies]
        shown = f"{text[:40]!r} from {sender} in {chat}"
        for reply in replies:
            if "出错了" in reply or reply == BUSY:
                problems.append(f"{shown}: {reply[:60]}")
            if not CHINESE.search(reply):
                problems.append(f"{shown}: not Chinese: {reply[:60]!r}")
        answered += bool(replies)
        after = _row_counts(app)
        if replies and all(r.startswith("⛔") or "用法：" in r for r in replies):
            refused += 1
            if after != before:
                problems.append(f"{shown}: refused but stored something")
        problems += _over_limit(app, result.outbox_ids, shown)
    elapsed = time.perf_counter() - started
    print(f"\ndispatcher fuzz: {DISPATCHED_PER_DATABASE} messages in {elapsed:.1f} s ({answered} answered, {refused} refused)")
    assert answered > DISPATCHED_PER_DATABASE // 2 and refused > DISPATCHED_PER_DATABASE // 10  # the fuzz reaches the bot
    assert not problems, "\n".join(problems[:30])


def _over_limit(app, outbox_ids, shown: str) -> list[str]:
    if not outbox_ids:
        return []
    with app.unit_of_work() as uow:
        rows = [uow.session.get(OutboxMessage, row_id) for row_id in outbox_ids]
        return [
            f"{shown}: part of {len(r.text.encode())} bytes"
            for r in rows
            if (limit := limit_for(r.platform, r.markdown)) is not None and len(r.text.encode()) > limit
        ]
