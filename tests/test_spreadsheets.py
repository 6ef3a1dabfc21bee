"""The one export writer: CSV with a BOM, XLSX, both with formulas made inert and control
characters cleaned, whoever exports."""

import csv
import io

from openpyxl import load_workbook

from gridcare.spreadsheets import Table, csv_bytes, xlsx_bytes


def test_a_cell_excel_would_run_stays_text_in_both_formats():
    table = Table("名单", ["名称"], [['=HYPERLINK("http://evil","点我")'], ["+1"], ["@SUM(A1)"]])

    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))

    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet["A2"].value == '=HYPERLINK("http://evil","点我")'
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://evil","点我")', "'+1", "'@SUM(A1)"]


def test_control_characters_in_stored_text_do_not_break_the_workbook():
    table = Table("名单", ["备注"], [["高血压\x0b糖尿病\x00\x1f"], ["\x0b=1+1"]])

    sheet = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    text = csv_bytes(table).decode("utf-8-sig")

    assert sheet["A2"].value == "高血压\n糖尿病"
    assert sheet["A3"].data_type != "f"
    assert "\x00" not in text and "\x1f" not in text and "\x0b" not in text


def test_several_tables_become_sheets_or_sections_with_their_caption():
    first = Table("按区域", ["区域", "户数"], [["明珠社区", 3]], caption="雄关区 2026-10")
    second = Table("按网格员", ["网格员", "户数"], [["张伟", 2]], caption="雄关区 2026-10")

    book = load_workbook(io.BytesIO(xlsx_bytes(first, second)))
    text = csv_bytes(first, second)

    assert book.sheetnames == ["按区域", "按网格员"]
    assert [c.value for c in book["按区域"][3]] == ["明珠社区", 3]
    assert text.startswith("\ufeff".encode())
    assert text.decode("utf-8-sig").splitlines() == [
        "雄关区 2026-10",
        "区域,户数",
        "明珠社区,3",
        "",
        "雄关区 2026-10",
        "网格员,户数",
        "张伟,2",
    ]
