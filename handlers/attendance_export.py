"""The month's attendance as an Excel workbook (openpyxl): a summary sheet with one line per
village, then one sheet per village with one line per member.

In 汇总 each person is counted once: under 视为自动离职 when flagged, else under their colour.
Members whose counting had not started are left out of the sums (their sheet row shows "—").

Every text cell is stored as text: openpyxl turns a string starting with `=` into a formula, so a
member named `=HYPERLINK(…)` would become a live link (OWASP CSV injection). `_append` stores such
strings as plain strings with Excel's quote prefix, so they show exactly as typed."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.contract.hygiene import FORMULA_START
from handlers.attendance_report import RED, YELLOW, MonthReport
from handlers.attendance_views import COLUMNS, display_names, month_label, xlsx_row

__all__ = ["SUMMARY_SHEET", "SUMMARY_COLUMNS", "write_workbook"]

SUMMARY_SHEET = "汇总"
SUMMARY_COLUMNS = ("村", "人数", "应出勤", "打卡", "迟到", "请假", "缺勤", "黄色预警", "红色预警", "视为自动离职")
TITLE = "{township} {month}考勤（截至{upto}）"
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def write_workbook(report: MonthReport, path: str | Path) -> Path:
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    upto = report.upto.isoformat() if report.upto else "-"
    _append(summary, [TITLE.format(township=report.township_name, month=month_label(report), upto=upto) + report.mark])
    _append(summary, list(SUMMARY_COLUMNS))
    used = {SUMMARY_SHEET}
    names = display_names(report.members)
    for village, rows in report.by_village().items():
        counted = [r for r in rows if r.started]
        _append(summary, [
            village, len(rows), report.required,
            sum(r.checked for r in counted), sum(r.late for r in counted), sum(r.leave for r in counted),
            sum(r.missed for r in counted),
            sum(r.colour == YELLOW and not r.flagged for r in counted),
            sum(r.colour == RED and not r.flagged for r in counted),
            sum(r.flagged for r in counted),
        ])
        sheet = workbook.create_sheet(_sheet_name(village, used))
        _append(sheet, list(COLUMNS))
        for row in rows:
            _append(sheet, xlsx_row(row, names[row.member_id]))
        _bold_header(sheet, 1)
    _bold_header(summary, 2)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _append(sheet, values: list) -> None:
    """Append a row; text that a spreadsheet would read as a formula stays text."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = name.translate(_BAD_SHEET_CHARS)[:31] or "村"
    candidate, n = base, 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def _bold_header(sheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)


