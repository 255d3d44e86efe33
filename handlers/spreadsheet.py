"""Cells written to a spreadsheet a person will open: text that Excel or WPS would take for a
formula (a leading = + - @, tab or carriage return) is neutralised with a leading apostrophe,
as OWASP's CSV-injection advice says (https://owasp.org/www-community/attacks/CSV_Injection).
`unsafe_cell` undoes it when such a file is read back, so an export re-imports unchanged."""

from __future__ import annotations

from bot.contract.hygiene import FORMULA_START as FORMULA_STARTS, safe_cell

__all__ = ["FORMULA_STARTS", "safe_cell", "unsafe_cell"]


def unsafe_cell(text: str) -> str:
    """The text as it was before `safe_cell`."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
