"""Coverage exports write stored names through the one export writer."""

import csv
import io

import pytest
from openpyxl import load_workbook

from gridcare.extensions import db

EVIL = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def civil(make, tree):
    tree["grid1"].name = EVIL
    tree["grid2"].name = "明珠\x0b2网格"
    db.session.commit()
    return make.user("civil_affairs", areas=[tree["district"]])


@pytest.fixture
def tree(make):
    return make.tree()


def test_coverage_xlsx_with_a_formula_or_control_character_in_an_area_name_downloads(
    client, login, civil, tree
):
    login(civil)

    response = client.get(f"/reports/coverage.xlsx?area={tree['community1'].id}&period=2026-10")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    names = [row[0].value for row in sheet.iter_rows()]
    assert EVIL in names and "明珠\n2网格" in names
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_coverage_csv_makes_a_formula_in_an_area_name_inert(client, login, civil, tree):
    login(civil)

    response = client.get(f"/reports/coverage.csv?area={tree['community1'].id}&period=2026-10")

    first_cells = [r[0] for r in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))) if r]
    assert "'" + EVIL in first_cells
    assert EVIL not in first_cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_cli_writes_a_formula_in_an_area_name_as_text(runner, civil, tree, tmp_path, fmt):
    output = tmp_path / f"coverage.{fmt}"

    result = runner.invoke(
        args=["report", "coverage", "--area", tree["community1"].code, "--period", "2026-10",
              "--format", fmt, "--output", str(output)]
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    if fmt == "csv":
        text = output.read_bytes().decode("utf-8-sig")
        assert "'" + EVIL in [r[0] for r in csv.reader(io.StringIO(text)) if r]
    else:
        sheet = load_workbook(output).worksheets[0]
        assert EVIL in [row[0].value for row in sheet.iter_rows()]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
