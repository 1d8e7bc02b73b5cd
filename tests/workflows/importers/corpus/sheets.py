"""What the corpus's spreadsheet builders share: a bordered, wrapped table with merged cells.

Each document's build.py keeps only that document's wording and layout. Run a builder from the
project's root with the venv python, e.g.
    PYTHONPATH=. .venv/bin/python tests/workflows/importers/corpus/a_chizhou_xfj_openness_tasks/build.py
"""
from string import ascii_uppercase

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side


def finish(sheet, first_row: int, last_row: int, widths: tuple[int, ...]) -> None:
    """Borders and wrapping on rows ``first_row``–``last_row``; column widths from A."""
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row, max_col=len(widths)):
        for cell in row:
            cell.border = border
            cell.alignment = wrap
    for letter, width in zip(ascii_uppercase[: len(widths)], widths, strict=True):
        sheet.column_dimensions[letter].width = width


def table(header: list, rows: list[list], widths: tuple[int, ...], merge_down: tuple[int, ...] = ()) -> Workbook:
    """A one-sheet workbook: ``header`` on row 1, ``rows`` below it.

    A None header cell is covered by the cell to its left (one header over several columns); a
    None cell in a ``merge_down`` column is covered by the cell above it.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for column, text in enumerate(header, start=1):
        if text is not None:
            sheet.cell(row=1, column=column, value=text).font = Font(bold=True)
    for start, end in _spans(header):
        sheet.merge_cells(start_row=1, start_column=start + 1, end_row=1, end_column=end + 1)
    for row_index, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=row_index, column=column, value=value)
    for column in merge_down:
        for start, end in _spans([row[column] for row in rows]):
            sheet.merge_cells(start_row=start + 2, start_column=column + 1, end_row=end + 2, end_column=column + 1)
    finish(sheet, 1, 1 + len(rows), widths)
    return workbook


def _spans(cells: list) -> list[tuple[int, int]]:
    """(first, last) index of each cell followed by None cells, when it is followed by any."""
    spans = []
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        end = index
        while end + 1 < len(cells) and cells[end + 1] is None:
            end += 1
        if end > index:
            spans.append((index, end))
    return spans
