"""Cells for every export, CSV and XLSX: what a person typed or imported is always written as text.

A spreadsheet runs a cell that starts with ``=`` (and, in some programs, ``+``, ``-`` or ``@``)
as a formula: ``=HYPERLINK("http://e.vil","x")`` typed as a user name on the sign-in page would
become a live link in the auditors' export. Every exporter writes its rows through this module:

- **CSV** (``csv_value``, ``CsvRows``): a text cell that starts with ``=``, ``+``, ``-``, ``@``,
  TAB or CR (or their full-width forms, which some programs in Chinese locales read the same) is
  prefixed with a single quote, as OWASP recommends for CSV injection; spreadsheets show the
  quote-prefixed text as text.
- **XLSX** (``xlsx_cell``, ``xlsx_row``): every ``str`` cell is of string type, never formula or
  error (openpyxl makes any string that starts with ``=`` a formula, and ``#N/A`` an error). One
  that starts with a formula character also gets Excel's quote prefix, so editing the cell in
  Excel keeps it text. Control characters that XLSX cannot hold become ``\\xNN``.

Numbers, dates and ``None`` keep their types: they are the exporter's own values, not typed text.
"""
from __future__ import annotations

import csv
import re

from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# The characters XLSX (XML 1.0) cannot hold; openpyxl refuses them with IllegalCharacterError.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_CHARS = 32767


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_value(value) -> str:
    """The CSV field for ``value``: text that a spreadsheet would run is quote-prefixed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if is_formula_like(value) else value
    return str(value)


def csv_unquoted(text: str) -> str:
    """Read back a field that ``csv_value`` quote-prefixed (an export re-imported)."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


class CsvRows:
    """``csv.writer`` whose every field goes through ``csv_value``."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, values):
        return self._writer.writerow([csv_value(v) for v in values])


def _xlsx_text(value: str) -> str:
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)[:XLSX_MAX_CHARS]


def set_value(cell: Cell, value) -> Cell:
    """Put ``value`` in ``cell``; a ``str`` is always a string cell (see the module doc)."""
    if isinstance(value, str):
        text = _xlsx_text(value)
        cell.value = text
        cell.data_type = "s"
        if is_formula_like(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def xlsx_cell(sheet, value, **style) -> Cell:
    """A new cell of ``sheet`` (write-only or not) holding ``value``, for ``sheet.append``."""
    cell = Cell(sheet, row=1, column=1)  # append() gives it its place
    for name, setting in style.items():
        setattr(cell, name, setting)
    return set_value(cell, value)


def xlsx_row(sheet, values) -> list[Cell]:
    return [xlsx_cell(sheet, value) for value in values]


def xlsx_append(sheet, values) -> None:
    """``sheet.append(values)`` with every value written through ``set_value``."""
    sheet.append(xlsx_row(sheet, values))


def xlsx_put(sheet, *, row: int, column: int, value) -> Cell:
    """``sheet.cell(row, column, value)`` with the value written through ``set_value``."""
    return set_value(sheet.cell(row=row, column=column), value)
