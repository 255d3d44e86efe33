"""The console chat and `cadrebot demo`, as a person at the terminal sees them."""

import io
import subprocess
import sys

from bot.adapters.console import ConsoleChat
from bot.demo.township import seed_township


def test_console_lines_go_through_the_router_and_print_replies(app, clock):
    seed_township(app)
    out = io.StringIO()
    chat = ConsoleChat(app, "雅庄村", out=out)
    assert chat.speaker == "应建华"  # the village's first member speaks by default
    chat.run(io.StringIO("/打卡\n\n楼秀芳> 打卡\n应建华> /打卡\n"))
    lines = out.getvalue().splitlines()
    assert "雅庄村 · 应建华：/打卡" in lines[0]
    assert lines[1].endswith("✅ 应建华 07:50 打卡成功，今日第 1 位")
    assert lines[3].endswith("✅ 楼秀芳 07:50 打卡成功，今日第 2 位")
    assert lines[5].endswith("应建华，今天已于 07:50 打卡")


def test_console_for_an_unknown_village_explains(app):
    seed_township(app)
    try:
        ConsoleChat(app, "不存在村", out=io.StringIO())
    except Exception as error:
        assert "花名册里没有「不存在村」" in str(error)
    else:
        raise AssertionError("expected a setup error")


def test_demo_runs_and_prints_a_transcript_with_checkins(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--db", str(tmp_path / "demo.sqlite3")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "✅ 应建华 07:52 打卡成功，今日第 1 位" in result.stdout
    assert "⏰ 陈志强 08:42 打卡成功（迟到）" in result.stdout
    assert str(tmp_path / "demo.sqlite3") in result.stdout
    assert (tmp_path / "demo.sqlite3").exists()
