"""Roster files as township offices make them: file bytes → a table of text cells with their row
numbers. The validation of the rows is `handlers.roster`'s business.

- CSV: the encoding is detected (UTF-8 with or without BOM, GB18030/GBK as saved by Excel on
  Chinese Windows, UTF-16 as Excel's "Unicode text") with charset-normalizer; the delimiter
  (comma, tab, semicolon) is sniffed.
- XLSX: read in openpyxl's read-only mode (fast for big rosters); merged cells are read the way a
  person reads them: a cell merged down a column (a 村 written once for its cadres) applies to
  every row it spans. A merge across columns below the header is ambiguous and refused with its
  row numbers. A title row above the header is skipped.
- Anything unreadable (corrupt, .xls, binary) is one Chinese line, never a traceback.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from charset_normalizer import from_bytes

from handlers.spreadsheet import unsafe_cell
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

__all__ = ["RosterFileError", "Table", "read_table"]

Table = list[tuple[int, list[str]]]  # (row number in the file, cells)

UNSUPPORTED = "不支持的文件类型 {suffix}，请用 .xlsx 或 .csv"
OLD_EXCEL = "不支持旧版 Excel（.xls），请在 Excel 里「另存为」.xlsx 或 .csv 再导入"
CORRUPT_XLSX = "文件已损坏或不是有效的 Excel 文件（{name}），请用 Excel 打开后另存为 .xlsx 再导入"
UNKNOWN_ENCODING = "无法识别 CSV 文件的编码（{name}），请在 Excel 里另存为「CSV UTF-8」再导入"
MERGED_ACROSS = "第 {rows} 行有横向合并的单元格（{ref}），看不出属于哪一列，请取消合并后再导入"
MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
HEADER_SEARCH_ROWS = 5  # a title row or two may sit above the header


class RosterFileError(Exception):
    """The file cannot be read; `problems` lists (row number, Chinese message), row 0 = whole file."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(text for _, text in problems))


def read_table(path: Path) -> Table:
    """All rows of the first sheet (or the CSV) as text cells, numbered as the file numbers them."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".xls":
        raise RosterFileError([(0, OLD_EXCEL)])
    raise RosterFileError([(0, UNSUPPORTED.format(suffix=suffix or "(无后缀)"))])


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    text = _decode(data, path.name)
    try:  # only the delimiter is guessed (from the header); quoting is Excel's, "" inside quotes
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter))
    except csv.Error:
        raise RosterFileError([(0, UNKNOWN_ENCODING.format(name=path.name))]) from None
    return [(number, [unsafe_cell(cell.strip()) for cell in row]) for number, row in enumerate(rows, start=1)]


def _decode(data: bytes, name: str) -> str:
    """UTF-8 first (the common case, and never a false positive on Chinese text); otherwise what
    charset-normalizer finds most coherent (its BOM check covers UTF-16 and UTF-8-SIG)."""
    if b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is None or "\x00" in str(best):
        raise RosterFileError([(0, UNKNOWN_ENCODING.format(name=name))])
    text = str(best)
    return text[1:] if text.startswith("\ufeff") else text


# --- XLSX --------------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors …
        raise RosterFileError([(0, CORRUPT_XLSX.format(name=path.name))]) from None
    try:
        sheet = workbook.worksheets[0]
        rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        merges = _merged_ranges(path, sheet._worksheet_path)
    except Exception:
        raise RosterFileError([(0, CORRUPT_XLSX.format(name=path.name))]) from None
    finally:
        workbook.close()
    header_row = _header_row(rows)
    _fill_merged(rows, merges, header_row)
    return list(enumerate(rows, start=1))[header_row - 1:]


def _merged_ranges(path: Path, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range. Read-only mode does not see
    them, so the sheet's XML is scanned for `<mergeCell ref="B3:B7"/>` (ECMA-376 §18.3.1.55) in
    chunks: a byte search, several times faster than parsing the rows a second time."""
    ranges, tail = [], b""
    with zipfile.ZipFile(path) as archive, archive.open(sheet_path) as xml:
        while chunk := xml.read(1 << 20):
            data = tail + chunk
            ranges += [range_boundaries(ref.decode()) for ref in MERGE_CELL.findall(data)]
            cut = data.rfind(b"<")  # a tag split across two chunks is searched with the next one
            tail = data[cut:] if cut >= 0 and b">" not in data[cut:] else b""
    return ranges


def _header_row(rows: list[list[str]]) -> int:
    """The first row (1-based) naming a 姓名/name column, among the first few; else row 1."""
    for number, row in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        if any(cell.strip().lower() in ("姓名", "name") for cell in row):
            return number
    return 1


def _fill_merged(rows: list[list[str]], merges, header_row: int) -> None:
    across = []
    for min_col, min_row, max_col, max_row in merges:
        if max_row <= header_row:
            continue  # a title merged over the header: not data
        if max_col > min_col:
            across.append((min_row, max_row, min_col, max_col))
            continue
        value = _at(rows, min_row, min_col)
        for row in range(min_row + 1, max_row + 1):
            _put(rows, row, min_col, value)
    if across:
        problems = []
        for min_row, max_row, min_col, max_col in sorted(across):
            numbers = str(min_row) if min_row == max_row else f"{min_row}–{max_row}"
            ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
            problems.append((0, MERGED_ACROSS.format(rows=numbers, ref=ref)))
        raise RosterFileError(problems)


def _at(rows: list[list[str]], row: int, col: int) -> str:
    cells = rows[row - 1] if row - 1 < len(rows) else []
    return cells[col - 1] if col - 1 < len(cells) else ""


def _put(rows: list[list[str]], row: int, col: int, value: str) -> None:
    while len(rows) < row:
        rows.append([])
    cells = rows[row - 1]
    cells.extend([""] * (col - len(cells)))
    cells[col - 1] = value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unsafe_cell(str(value).strip())
