"""`cadrebot roster import`: the township's roster from Excel or CSV."""

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli import main as cli
from handlers.roster import RosterError, import_roster
from storage.models import Identity, Member
from storage.repositories import OrgRepository

HEADER = ["乡镇", "村", "姓名", "职务", "小组", "企业微信ID", "钉钉ID"]
ROWS = [
    ["芝英镇", "雅庄村", "应建华", "书记", "两委", "yingjh", ""],
    ["芝英镇", "雅庄村", "楼秀芳", "村干部", "两委", "lousf", "lousf-dt"],
    ["芝英镇", "莲湖村", "刘洋", "书记", "", "", "liuy"],
    ["芝英镇", "", "吴晓峰", "管理员", "", "wuxf", ""],
]


def write_xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path, rows, header=HEADER):
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def do_import(app, path):
    with app.unit_of_work() as uow:
        report = import_roster(uow.session, path)
        uow.commit()
    return report


def count(app, model):
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(model.id)))


def test_xlsx_import_creates_members_villages_and_accounts(app, tmp_path):
    report = do_import(app, write_xlsx(tmp_path / "roster.xlsx", ROWS))
    assert (report.created, report.updated) == (4, 0)
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        assert org.member_by_identity("wecom", "lousf").name == "楼秀芳"
        assert org.member_by_identity("dingtalk", "liuy").village.name == "莲湖村"
        admin = org.member_by_identity("wecom", "wuxf")
        assert admin.is_admin and admin.village_id is None
        assert [v.name for v in org.villages(admin.township_id)] == ["雅庄村", "莲湖村"]


def test_reimport_updates_instead_of_duplicating(app, tmp_path):
    do_import(app, write_xlsx(tmp_path / "a.xlsx", ROWS))
    changed = [list(r) for r in ROWS]
    changed[1][3] = "书记"  # 楼秀芳 promoted
    changed[1][5] = "lousf-new"  # new WeCom account
    report = do_import(app, write_csv(tmp_path / "b.csv", changed))
    assert (report.created, report.updated) == (0, 4)
    assert count(app, Member) == 4
    assert count(app, Identity) == 5
    with app.unit_of_work() as uow:
        member = OrgRepository(uow.session).member_by_identity("wecom", "lousf-new")
        assert member.name == "楼秀芳" and member.role == "书记"


def test_bad_rows_are_reported_by_row_number_and_nothing_is_imported(app, tmp_path):
    rows = [*ROWS, ["芝英镇", "雅庄村", "", "村干部", "", "", ""], ["芝英镇", "雅庄村", "胡国平", "村长", "", "", ""]]
    with pytest.raises(RosterError) as error:
        do_import(app, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert error.value.problems[0] == (6, "缺少姓名")
    assert error.value.problems[1][0] == 7 and "村长" in error.value.problems[1][1]
    assert count(app, Member) == 0


def test_account_already_held_by_someone_else_fails_the_whole_import(app, tmp_path):
    do_import(app, write_xlsx(tmp_path / "a.xlsx", ROWS))
    stolen = [["芝英镇", "古塘里村", "叶光明", "书记", "", "yingjh", ""]]
    with pytest.raises(RosterError) as error:
        do_import(app, write_csv(tmp_path / "b.csv", stolen))
    assert error.value.problems == [(2, "wecom 账号 yingjh 已属于 应建华")]
    assert count(app, Member) == 4


def test_duplicate_rows_in_one_file(app, tmp_path):
    with pytest.raises(RosterError) as error:
        do_import(app, write_csv(tmp_path / "dup.csv", [ROWS[0], ROWS[0]]))
    assert error.value.problems[0][0] == 3 and "与第 2 行重复" in error.value.problems[0][1]


def test_missing_header_column_is_named(app, tmp_path):
    with pytest.raises(RosterError, match="表头缺少：职务"):
        do_import(app, write_csv(tmp_path / "h.csv", [["芝英镇", "雅庄村", "应建华"]], header=["乡镇", "村", "姓名"]))


def test_cli_import_reports_in_chinese(app, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CADREBOT_DATABASE_URL", app.settings.database_url)
    assert cli(["roster", "import", str(write_xlsx(tmp_path / "r.xlsx", ROWS))]) == 0
    assert "新增 4 人，更新 0 人" in capsys.readouterr().out
    assert cli(["roster", "import", str(write_csv(tmp_path / "bad.csv", [["芝英镇", "雅庄村", "X", "村长"]]))]) == 1
    assert "第 2 行" in capsys.readouterr().err
    assert cli(["roster", "import", str(tmp_path / "roster.txt")]) == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_after_a_cli_import_the_planner_knows_the_new_roster(app, tmp_path, monkeypatch):
    """Planned on the statistics of the tables before an import (empty, the first time), each
    village's member look-up scanned every account; `cadrebot roster import` refreshes them."""
    monkeypatch.setenv("CADREBOT_DATABASE_URL", app.settings.database_url)
    assert cli(["roster", "import", str(write_xlsx(tmp_path / "r.xlsx", ROWS))]) == 0
    with app.engine.connect() as connection:
        counted = dict(connection.exec_driver_sql(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('members', 'identities', 'villages')"
        ).all())
    assert counted == {"members": 4, "identities": 5, "villages": 2}  # 楼秀芳 has a WeCom and a DingTalk account
