"""The README's "谁可以用 / 在哪里用" table is generated from the declarations and cannot go stale."""

from pathlib import Path

from bot.app import build_command_table
from bot.contract.doc_table import current_block, render_table, who_and_where

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_command_table_matches_the_declarations():
    expected = render_table(build_command_table().commands)
    assert current_block(README) == expected, "README 命令表过期：运行 python -m bot.contract.doc_table"


def test_the_table_says_who_and_where_for_each_command():
    table = {c.words: who_and_where(c) for c in build_command_table().commands}
    assert table["表决"] == "书记、管理员 · 村工作群、镇工作群 · 本村（管理员：本镇各村）"
    assert table["绑定 确认"] == "管理员 · 私聊、村工作群、镇工作群 · 本镇"
    assert table["帮助"] == "任何人（含未绑定） · 私聊、村工作群、镇工作群"
