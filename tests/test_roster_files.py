"""Roster files as real township offices make them: GBK and UTF-16 CSVs from Excel on Chinese
Windows, a UTF-8 BOM, a 村 merged down the sheet, a corrupt file; and export → import round trip."""

import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.cli import main as cli
from handlers.roster import RosterError, import_roster, read_roster
from handlers.roster_export import EXPORT_COLUMNS, export_roster
from storage.models import Member

HEADER = ["乡镇", "村", "姓名", "职务", "小组", "企业微信ID"]
ROWS = [
    ["芝英镇", "雅庄村", "应建华", "书记", "两委", "yingjh"],
    ["芝英镇", "雅庄村", "楼秀芳", "村干部", "两委", "lousf"],
    ["芝英镇", "莲湖村", "刘洋", "书记", "", ""],
]
EXPECTED = [("芝英镇", "雅庄村", "应建华", "书记"), ("芝英镇", "雅庄村", "楼秀芳", "村干部"), ("芝英镇", "莲湖村", "刘洋", "书记")]


def csv_text(delimiter=",") -> str:
    return "\r\n".join(delimiter.join(row) for row in [HEADER, *ROWS]) + "\r\n"


def read(path):
    return [(r.township, r.village, r.name, r.role) for r in read_roster(path)]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_the_encodings_excel_saves(tmp_path, encoding):
    path = tmp_path / "花名册.csv"
    path.write_bytes(csv_text().encode(encoding))
    assert read(path) == EXPECTED


def test_utf16_unicode_text_from_excel_is_tab_separated(tmp_path):
    path = tmp_path / "花名册.csv"
    path.write_bytes(csv_text("\t").encode("utf-16"))  # with BOM, as Excel writes it
    assert read(path) == EXPECTED


def test_a_village_merged_down_the_column_applies_to_every_row_it_spans(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["芝英镇村干部花名册"])  # a title row above the header, merged across
    sheet.merge_cells("A1:F1")
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    sheet["B4"] = None  # 雅庄村 written once, merged over rows 3–4
    sheet.merge_cells("B3:B4")
    path = tmp_path / "花名册.xlsx"
    book.save(path)
    rows = read_roster(path)
    assert [(r.village, r.name, r.line) for r in rows] == [("雅庄村", "应建华", 3), ("雅庄村", "楼秀芳", 4),
                                                           ("莲湖村", "刘洋", 5)]


def test_a_merge_across_columns_is_refused_with_its_rows(tmp_path):
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    sheet.merge_cells("C3:D4")
    path = tmp_path / "花名册.xlsx"
    book.save(path)
    with pytest.raises(RosterError) as refused:
        read_roster(path)
    assert str(refused.value) == "第 3–4 行有横向合并的单元格（C3:D4），看不出属于哪一列，请取消合并后再导入"


@pytest.mark.parametrize("name, content, expected", [
    ("花名册.xlsx", b"PK\x03\x04 this is not a workbook", "文件已损坏或不是有效的 Excel 文件（花名册.xlsx）"),
    ("花名册.xlsx", b"", "文件已损坏或不是有效的 Excel 文件（花名册.xlsx）"),
    ("花名册.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 Excel（.xls）"),
    ("花名册.csv", bytes(range(256)) * 8, "无法识别 CSV 文件的编码（花名册.csv）"),
])
def test_a_corrupt_file_is_one_chinese_line_from_the_cli(tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    config = tmp_path / "cadrebot.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "db.sqlite3"}"\n', encoding="utf-8")
    assert cli(["--config", str(config), "roster", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_a_truncated_workbook_is_refused(tmp_path):
    good = tmp_path / "good.xlsx"
    book = Workbook()
    book.active.append(HEADER)
    book.save(good)
    broken = tmp_path / "花名册.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            if not item.filename.startswith("xl/worksheets/"):
                target.writestr(item, source.read(item))
    with pytest.raises(RosterError, match="文件已损坏"):
        read_roster(broken)


def test_export_then_import_gives_the_same_roster(app, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "乡镇,村,姓名,职务,小组,企业微信ID,钉钉ID,起始日期\n"
        "芝英镇,雅庄村,应建华,书记,两委,yingjh,,2026-11-02\n"
        "芝英镇,雅庄村,=HYPERLINK(\"x\"),村干部,+1组,-lousf,@dt,\n"
        "芝英镇,,吴晓峰,管理员,,wuxf,wuxf-dt,\n",
        encoding="utf-8",
    )
    with app.unit_of_work() as uow:
        import_roster(uow.session, source, today=app.clock.today())
        uow.commit()
    exported = tmp_path / "out.xlsx"
    with app.unit_of_work() as uow:
        assert export_roster(uow.session, exported) == 3
    sheet = [list(row) for row in load_workbook(exported).active.iter_rows(values_only=True)]
    assert sheet[0] == list(EXPORT_COLUMNS)
    assert sheet[2][2:6] == ["'=HYPERLINK(\"x\")", "村干部", "'+1组", "'-lousf"]  # no formula reaches Excel
    assert all(not str(cell).startswith(("=", "+", "-", "@")) for row in sheet for cell in row if cell)

    before = [(r.township, r.village, r.name, r.role, r.team, r.accounts, r.start) for r in read_roster(source)]
    after = [(r.township, r.village, r.name, r.role, r.team, r.accounts, r.start) for r in read_roster(exported)]
    assert after[0][-1] is not None and after[2][-1] is not None  # defaults were stored: the import day
    assert [row[:-1] for row in after] == [row[:-1] for row in before]
    with app.unit_of_work() as uow:
        report = import_roster(uow.session, exported, today=app.clock.today())
        uow.commit()
        assert (report.created, report.updated) == (0, 3)
        assert uow.session.scalars(select(Member.name).order_by(Member.id)).all() == [
            "应建华", "=HYPERLINK(\"x\")", "吴晓峰"]
