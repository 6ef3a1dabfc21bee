"""`gridcare report performance`: the page's figures, through the CLI runner."""

import json

from openpyxl import load_workbook

from tests.test_cli import assert_one_clear_line, gridcare


def test_json_gives_the_pages_figures(app, quarter):
    community = quarter["tree"]["community1"]
    result = gridcare(
        app, "report", "performance", "--area", community.code, "--quarter", "2026-Q3"
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["quarter"] == "2026-Q3" and figures["closed"] is False
    assert [i["name"] for i in figures["indicators"]] == [
        "按时走访",
        "走访覆盖",
        "隐患按期整改",
        "工作态度",
    ]
    assert [i["kind"] for i in figures["indicators"]] == [
        "common",
        "common",
        "key",
        "role_specific",
    ]
    first, second = figures["workers"]
    assert (first["name"], first["score"], first["community_rank"]) == ("网格员甲", 81.3, 1)
    assert (second["score"], second["street_rank"]) == (65.9, 2)
    assert first["months"][0]["marks"][0] == {
        "indicator_id": figures["indicators"][0]["id"],
        "done": 3,
        "out_of": 4,
        "figure": 75.0,
        "points": 30.0,
        "raters": {},
    }


def test_xlsx_writes_the_table_and_the_months(app, quarter, tmp_path):
    target = tmp_path / "q3.xlsx"
    community = quarter["tree"]["community1"]
    result = gridcare(
        app,
        "report",
        "performance",
        "--area",
        community.code,
        "--quarter",
        "2026-Q3",
        "--format",
        "xlsx",
        "--output",
        str(target),
        "--locale",
        "en",
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(target, read_only=True)
    table, months = (list(sheet.values) for sheet in book.worksheets)
    assert table[1][:4] == ("Community rank", "Street rank", "Worker", "Score")
    assert table[2][:4] == (1, 1, "网格员甲", 81.3)
    assert len(months) == 2 + 6  # caption, header, three months of two workers


def test_a_bad_quarter_or_area_is_one_line_and_exit_2(app, quarter):
    community = quarter["tree"]["community1"]
    bad = gridcare(app, "report", "performance", "--area", community.code, "--quarter", "2026-13")
    assert_one_clear_line(bad, "--quarter")
    assert bad.exit_code == 2
    month = gridcare(app, "report", "performance", "--area", community.code, "--quarter", "2026-10")
    assert_one_clear_line(month, "quarter")
    unknown = gridcare(app, "report", "performance", "--area", "NOPE", "--quarter", "2026-Q3")
    assert_one_clear_line(unknown, "--area")
    assert unknown.exit_code == 2


def test_an_unwritable_output_is_one_line(app, quarter, tmp_path):
    community = quarter["tree"]["community1"]
    result = gridcare(
        app,
        "report",
        "performance",
        "--area",
        community.code,
        "--quarter",
        "2026-Q3",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "missing" / "q3.xlsx"),
    )
    assert_one_clear_line(result, "cannot write")
    assert result.exit_code == 1
