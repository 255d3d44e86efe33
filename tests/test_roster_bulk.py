"""The bulk roster writer (storage/roster_write.py) as an admin sees it: a re-import that moves an
account takes effect at the next message, a file with one taken account changes nothing, and a
long import shows its progress on the terminal."""

import io

import pytest

from bot import texts
from bot.cli_progress import RosterProgress
from handlers.roster import RosterError, import_roster
from tests.test_roster import write_csv


def do_import(app, path, progress=None):
    with app.unit_of_work() as uow:
        report = import_roster(uow.session, path, progress)
        uow.commit()
    return report


def test_a_reimport_that_moves_an_account_is_seen_by_the_next_message(world, tmp_path):
    chat = world.chat()
    assert chat.reply("/打卡", "zhangjg").startswith("✅ 张建国")  # the worker has him cached now
    path = write_csv(tmp_path / "r.csv", [["芝英镇", "雅庄村", "张建国", "书记", "", "zhangjg-new", ""]])
    assert str(do_import(world.app, path)) == "新增 0 人，更新 1 人"
    assert chat.reply("/打卡", "zhangjg") == texts.NOT_BOUND.format(name="zhangjg")
    assert chat.reply("/打卡", "zhangjg-new") == "张建国，今天已于 07:50 打卡"


def test_one_taken_account_in_a_big_file_imports_nothing(world, tmp_path):
    rows = [["芝英镇", "新村", f"新人{i}", "村干部", "", f"new-{i}", ""] for i in range(2000)]
    rows[1500][5] = "lixy"  # 李秀英's account
    path = write_csv(tmp_path / "r.csv", rows)
    with pytest.raises(RosterError) as error:
        do_import(world.app, path)
    assert str(error.value) == "第 1502 行：wecom 账号 lixy 已属于 李秀英"
    assert world.chat().reply("/打卡", "new-1") == texts.NOT_BOUND.format(name="new-1")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_import_shows_a_progress_bar_on_the_terminal(world, tmp_path):
    rows = [["芝英镇", "新村", f"新人{i}", "村干部", "", f"new-{i}", ""] for i in range(12000)]
    terminal = Terminal()
    with RosterProgress(terminal) as progress:
        assert str(do_import(world.app, write_csv(tmp_path / "r.csv", rows), progress)) == "新增 12000 人，更新 0 人"
    shown = terminal.getvalue()
    assert "成员: 100%" in shown and "12000/12000" in shown
    assert "账号: 100%" in shown
