import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from gridcare.accounts.services import actor_for
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry.exports import HEADER, export_registry
from gridcare.registry.imports import import_residents
from gridcare.registry.services import RegistryPermissionError
from tests.factories import loaded

EN = {"Accept-Language": "en"}
OLD = date(1940, 5, 1)


def number_of(household) -> str:
    return vault().decrypt(loaded(household, "residents").residents[0].id_number_encrypted)


def download(client, **fields):
    data = {"fmt": "csv", **fields}
    return client.post("/registry/export", data=data, headers=EN)


def csv_rows(response) -> list[dict]:
    assert response.data.startswith("\ufeff".encode())  # Excel reads the Chinese
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_an_export_masks_id_numbers_by_default_and_is_audited(
    client, login, officer, home, elsewhere, new_events
):
    login(officer)

    response = download(client)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    [row] = csv_rows(response)  # the household in grid3 is outside the officer's areas
    full = number_of(home)
    assert row["身份证号"] == id_numbers.mask(full)
    assert full not in response.data.decode("utf-8-sig")
    assert (row["姓名"], row["地址"], row["房号"]) == ("刘德胜", "明珠路1号", "301")
    assert row["独居"] == "是"
    assert (row["紧急联系人"], row["联系人电话"]) == ("刘明", "13900139000")
    assert row["性别"] == "男" and row["出生日期"] == "1940-05-01" and row["照护等级"] == "1"
    [event] = new_events("export")
    assert (event.entity, event.user_id) == ("resident", officer.id)
    assert "id_number" in event.field_names and "刘德胜" not in event.fields
    assert not new_events("reveal_id_number")


def test_full_id_numbers_when_the_role_may_and_the_user_ticks_it(
    client, login, officer, home, new_events
):
    login(officer)

    row = csv_rows(download(client, full_ids="y"))[0]

    assert row["身份证号"] == number_of(home)
    [reveal] = new_events("reveal_id_number")
    assert (reveal.entity, reveal.entity_id) == (
        "resident",
        loaded(home, "residents").residents[0].id,
    )
    assert len(new_events("export")) == 1


def test_a_role_that_may_not_reveal_gets_no_tick_box_and_no_full_numbers(client, login, make, home):
    login(make.user("admin"))

    form = client.get("/registry/export", headers=EN).get_data(as_text=True)

    assert "Include full ID numbers" not in form
    assert download(client, full_ids="y").status_code == 403


def test_grid_workers_do_not_export(client, login, make, tree, home):
    login(make.user("grid_worker", areas=[tree["grid1"]]))

    assert client.get("/registry/export").status_code == 403
    assert download(client).status_code == 403


def test_the_export_uses_the_lists_filters(client, login, officer, home, make, tree):
    make.resident(make.household(tree["grid2"], address="和诚路5号"), name="王桂兰")
    login(officer)

    lives_alone = csv_rows(download(client, flag="lives_alone"))
    by_grid = csv_rows(download(client, area_id=str(tree["grid2"].id)))
    searched = csv_rows(download(client, q="和诚"))

    assert [r["姓名"] for r in lives_alone] == ["刘德胜"]
    assert [r["姓名"] for r in by_grid] == ["王桂兰"]
    assert [r["姓名"] for r in searched] == ["王桂兰"]


def test_the_export_page_starts_from_the_lists_filters(client, login, officer):
    login(officer)

    body = client.get("/registry/export?flag=lives_alone&q=明珠", headers=EN).get_data(as_text=True)

    assert '<option selected value="lives_alone">' in body
    assert 'value="明珠"' in body


def test_an_xlsx_export_keeps_numbers_as_text_and_formulas_inert(
    client, login, officer, home, make
):
    loaded(home, "residents").residents[0].health_notes = '=HYPERLINK("http://evil")'
    make.resident(home, name="=1+1")
    login(officer)

    response = download(client, fmt="xlsx")

    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == HEADER
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert {v[HEADER.index("姓名")] for v in values} == {"刘德胜", "=1+1"}
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert values[0][HEADER.index("身份证号")] == id_numbers.mask(number_of(home))


def test_a_csv_export_defuses_cells_that_excel_would_run(client, login, officer, home):
    loaded(home, "residents").residents[0].health_notes = '=HYPERLINK("http://evil")'
    login(officer)

    row = csv_rows(download(client))[0]

    assert row["健康备注"] == '\'=HYPERLINK("http://evil")'


def test_an_export_with_full_numbers_imports_again_changing_nothing(officer, home, make):
    actor = actor_for(officer)
    make.resident(home, name="刘秀英", empty_nest=True, disability_category=4,
                  disability_grade=3)  # fmt: skip
    exported = export_registry(actor, "xlsx", full_ids=True)

    report = import_residents(actor, exported.content, dry_run=False)

    assert not report.problems
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_the_service_refuses_full_numbers_to_roles_that_may_not_reveal(make, home):
    with pytest.raises(RegistryPermissionError):
        export_registry(actor_for(make.user("admin")), "csv", full_ids=True)


def test_the_households_list_links_to_the_export_with_its_filters(client, login, officer):
    login(officer)

    body = client.get("/registry/households?flag=lives_alone", headers=EN).get_data(as_text=True)

    assert "/registry/export?flag=lives_alone" in body


def test_a_control_character_in_health_notes_does_not_break_the_xlsx_export(
    client, login, officer, home
):
    loaded(home, "residents").residents[0].health_notes = "高血压\x0b糖尿病\x07"
    login(officer)

    response = download(client, fmt="xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(row=2, column=HEADER.index("健康备注") + 1).value == "高血压\n糖尿病"
