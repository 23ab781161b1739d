"""Writes the workbook fixtures the Excel tests read (other .xlsx files are written by the tests).

Run with `pip install openpyxl xlwt odfpy` (xlwt and odfpy are not test dependencies):
python tests/data/make_workbooks.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent / "inputs"
ROWS: list[list[object]] = [
    ["Clinic medication report"],  # a title row above the header, as report exports have
    [],
    ["Patient", "Medication", "Dose", "Status", "RxNorm", "Start"],
    ["E1001", "Sertraline 50 mg tablet", "1 tab daily", "Active", 312940, datetime.date(2024, 3, 1)],
    ["E1001", "Benadryl 25 mg at bedtime", "25 mg", "Active", None, datetime.date(2024, 5, 17)],
    [],
    ["E1002", "metformin 500 mg", 2, "Active", 861007, datetime.date(2023, 11, 2)],
    ["E1002", "Reglan 10 mg", "10 mg", "Stopped", None, None],
]


def xlsx() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Medications"
    for row in ROWS:
        sheet.append(row)
        if isinstance(row[-1] if row else None, datetime.date):
            sheet.cell(sheet.max_row, len(row)).number_format = "yyyy-mm-dd"
    book.create_sheet("Notes").append(["nothing here"])
    book.save(HERE / "excel.report.xlsx")


def xls() -> None:
    import xlwt  # type: ignore[import-not-found]

    book = xlwt.Workbook()
    sheet = book.add_sheet("Medications")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    book.add_sheet("Notes").write(0, 0, "nothing here")
    book.save(str(HERE / "excel.report.xls"))


def ods() -> None:
    from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-not-found]
    from odf.table import Table, TableCell, TableRow  # type: ignore[import-not-found]
    from odf.text import P  # type: ignore[import-not-found]

    doc = OpenDocumentSpreadsheet()
    for name, rows in (("Medications", ROWS), ("Notes", [["nothing here"]])):
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                if value is None:
                    tr.addElement(TableCell())
                elif isinstance(value, datetime.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                    cell.addElement(P(text=value.isoformat()))
                    tr.addElement(cell)
                elif isinstance(value, int):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                    tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(HERE / "excel.report.ods"))


if __name__ == "__main__":
    xlsx()
    xls()
    ods()
