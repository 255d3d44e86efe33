"""`cadrebot report attendance`: the registered parser, the printed tables and the .xlsx it writes,
re-read with openpyxl."""

import argparse
from datetime import date

from openpyxl import load_workbook

from bot import cli_report
from tests.attendance_helpers import at, chat, check_in

OCT = date(2026, 10, 1)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cadrebot")
    cli_report.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def seed_october(world, clock) -> None:
    for day in (8, 9, 10, 12):
        check_in(world, clock, OCT.replace(day=day), "zhangjg", "liuy")
    check_in(world, clock, OCT.replace(day=13), "zhangjg", hour=8, minute=45)
    at(clock, OCT.replace(day=12), 9)
    chat(world).reply("/请假 10-14 10-16 参加县里培训", "lixy")
    chat(world).reply("/批准 1", "zhangjg")
    at(clock, date(2026, 11, 24), 10)


def test_workbook_has_a_summary_and_one_sheet_per_village(world, clock, tmp_path, capsys):
    seed_october(world, clock)
    out = tmp_path / "out.xlsx"
    args = parse("report", "attendance", "--month", "2026-10", "--xlsx", str(out))
    assert args.func(args, app=world.app) == 0
    assert f"已写入 {out}" in capsys.readouterr().out

    book = load_workbook(out)
    assert book.sheetnames == ["汇总", "雅庄村", "莲湖村"]
    summary = [list(row) for row in book["汇总"].iter_rows(values_only=True)]
    assert summary[0][0] == "芝英镇 2026年10月考勤（截至2026-10-31）"
    assert summary[1] == ["村", "人数", "应出勤", "打卡", "迟到", "请假", "缺勤", "黄色预警", "红色预警", "视为自动离职"]
    assert summary[2] == ["雅庄村", 4, 18, 5, 1, 3, 13 + 15 + 18 + 18, 0, 0, 4]  # each person once
    assert summary[3] == ["莲湖村", 2, 18, 4, 0, 0, 14 + 18, 0, 0, 2]
    yazhuang = [list(row) for row in book["雅庄村"].iter_rows(values_only=True)]
    assert yazhuang[0] == ["姓名", "职务", "应出勤", "打卡", "迟到", "请假", "缺勤", "休息日打卡", "状态"]
    assert yazhuang[1] == ["张建国", "书记", 18, 5, 1, 0, 13, 0, "⛔ 视为自动离职"]
    assert yazhuang[2] == ["李秀英", "村干部", 18, 0, 0, 3, 15, 0, "⛔ 视为自动离职"]
    assert [row[0] for row in yazhuang[1:]] == ["张建国", "李秀英", "王伟", "周敏"]


def test_one_village_only(world, clock, tmp_path, capsys):
    seed_october(world, clock)
    out = tmp_path / "lianhu.xlsx"
    args = parse("report", "attendance", "--month", "2026-10", "--village", "莲湖村", "--xlsx", str(out))
    assert args.func(args, app=world.app) == 0
    printed = capsys.readouterr().out
    assert "📊 莲湖村 2026年10月考勤（截至10月31日，应出勤 18 天）" in printed and "雅庄村" not in printed
    book = load_workbook(out)
    assert book.sheetnames == ["汇总", "莲湖村"]
    assert list(book["莲湖村"].iter_rows(min_row=2, values_only=True))[0] == (
        "刘洋", "书记", 18, 4, 0, 0, 14, 0, "⛔ 视为自动离职")


def test_bad_month_or_village_is_a_clear_error(world, clock, capsys):
    args = parse("report", "attendance", "--month", "十月")
    assert args.func(args, app=world.app) == 2
    assert "--month 要写成 2026-11 这样：十月" in capsys.readouterr().err
    args = parse("report", "attendance", "--month", "2026-10", "--village", "不存在村")
    assert args.func(args, app=world.app) == 2
    assert "芝英镇没有「不存在村」。" in capsys.readouterr().err
