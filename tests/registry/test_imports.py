import io
import re
import time
import zipfile
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry.imports import (
    COLUMNS,
    DATA_SHEET,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportFileError,
    import_residents,
    import_template,
)
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.registry.services import RegistryPermissionError, households_changed
from gridcare.visits.models import CareSchedule, Visit
from tests.factories import loaded

HEADERS = [c.header for c in COLUMNS]
OLD = date(1938, 3, 8)


@pytest.fixture(autouse=True)
def _english(app):
    """Messages are checked in English; outside a request they follow the zh_CN default."""
    with force_locale("en"):
        yield


@pytest.fixture
def actor(officer):
    return actor_for(officer, "test")


def number(make, born=OLD, male=False) -> str:
    return make.id_number(born, male=male)


def row(grid, id_number, **cells) -> dict:
    """One row of the template as {header: value}; the rest empty."""
    values = {"网格编码": grid.code, "地址": "明珠路8号", "姓名": "王桂兰", "身份证号": id_number}
    values.update(cells)
    return values


def xlsx(rows: list[dict], headers=HEADERS) -> bytes:
    """A workbook shaped like the template, filled with `rows`."""
    if list(headers) == HEADERS:
        book = load_workbook(io.BytesIO(import_template()))
        sheet = book[DATA_SHEET]
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(list(headers))
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: list[dict], headers=HEADERS) -> str:
    lines = [",".join(headers)]
    lines += [",".join(str(values.get(h, "")) for h in headers) for values in rows]
    return "\r\n".join(lines) + "\r\n"


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def resident_by_number(value: str) -> Resident:
    return db.session.scalar(
        select(Resident).where(Resident.id_number_hash == vault().keyed_hash(value))
    )


def messages(report) -> list[tuple[int, str, str]]:
    return [(p.row, p.header, str(p.message)) for p in report.problems]


# A filled-in template.


def test_template_filled_with_valid_rows_imports_with_a_per_row_report(
    actor, make, tree, new_events
):
    alone, husband, wife = number(make), number(make, male=True), number(make, date(1950, 1, 2))
    content = xlsx(
        [
            row(tree["grid1"], alone, 楼栋="3", 单元="2", 房号="301", 独居="是",
                联系电话="13800138000", 紧急联系人="刘明", 联系人关系="儿子",
                联系人电话="13900139000", 健康备注="高血压"),
            row(tree["grid2"], husband, 地址="和诚路5号", 姓名="赵建国", 空巢="是",
                残疾类别="肢体", 残疾等级=2, 残疾证号=f"{husband}42"),
            row(tree["grid2"], wife, 地址="和诚路5号", 姓名="赵秀英", 空巢="是"),
        ]
    )  # fmt: skip

    checked = import_residents(actor, content, dry_run=True)

    assert not checked.applied and not checked.problems
    assert [(r.row, r.household, r.resident) for r in checked.rows] == [
        (2, "new", "create"),
        (3, "new", "create"),
        (4, "new", "create"),
    ]
    assert (checked.households_created, checked.residents_created) == (2, 3)
    assert count(Resident) == 0 and count(Household) == 0

    applied = import_residents(actor, content, dry_run=False)

    assert applied.applied and applied.created == 5 and applied.updated == 0
    first = resident_by_number(alone)
    assert first.name == "王桂兰" and first.lives_alone and first.phone == "13800138000"
    assert first.birth_date == OLD
    assert [(c.name, c.relation, c.phone) for c in loaded(first, "contacts").contacts] == [
        ("刘明", "儿子", "13900139000")
    ]
    assert loaded(first, "household").household.full_address == "明珠路8号 3-2-301"
    assert loaded(first, "household").household.care_level == 1  # 80+ and living alone
    couple = resident_by_number(husband)
    assert couple.household_id == resident_by_number(wife).household_id
    assert (couple.disability_category, couple.disability_grade) == (4, 2)
    assert vault().decrypt(couple.disability_certificate_encrypted) == f"{husband}42"
    created = new_events("create", "resident")
    assert len(created) == 3
    assert all(alone not in e.fields and "王桂兰" not in e.fields for e in new_events())
    assert "phone" in created[0].field_names


def test_care_levels_are_derived_and_visit_schedules_follow(actor, make, tree):
    content = xlsx([row(tree["grid1"], number(make), 独居="是")])

    import_residents(actor, content, dry_run=False)

    household = db.session.scalar(select(Household))
    assert household.care_level == 1
    kinds = db.session.scalars(
        select(CareSchedule.kind).where(CareSchedule.household_id == household.id)
    ).all()
    assert sorted(k.value for k in kinds) == ["home_visit", "safety_check"]
    assert (
        db.session.scalar(select(func.count(Visit.id)).where(Visit.household_id == household.id))
        == 2
    )


def test_many_changed_households_are_announced_at_once_to_a_listener(actor, make, tree):
    heard = []
    content = xlsx(
        [
            row(tree["grid1"], number(make), 独居="是"),
            row(tree["grid1"], number(make), 地址="明珠路9号", 空巢="是"),
        ]
    )

    with households_changed.connected_to(lambda ids, on: heard.append(ids)):
        import_residents(actor, content, dry_run=False)

    assert [len(ids) for ids in heard] == [2]
    assert set(heard[0]) == set(db.session.scalars(select(Household.id)))


def test_importing_the_same_file_again_changes_nothing(actor, make, tree, new_events):
    content = xlsx(
        [
            row(tree["grid1"], number(make), 联系电话="13800138000", 紧急联系人="刘明",
                联系人电话="13900139000"),
            row(tree["grid1"], number(make, male=True), 姓名="刘德胜", 独居="否"),
        ]
    )  # fmt: skip
    import_residents(actor, content, dry_run=False)
    before = len(new_events())

    again = import_residents(actor, content, dry_run=False)

    assert again.applied and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert [r.resident for r in again.rows] == ["unchanged", "unchanged"]
    assert count(Resident) == 2 and count(Household) == 1
    later = new_events()[before:]
    assert [e.action for e in later] == ["import"]  # who imported what, and no change


def test_an_existing_resident_is_updated_with_changed_cells_never_duplicated(
    actor, make, tree, new_events
):
    household = make.household(tree["grid1"], address="明珠路1号", room="301")
    resident = make.resident(household, name="刘德胜", birth_date=OLD, phone="13800138000")
    value = vault().decrypt(resident.id_number_encrypted)
    content = xlsx(
        [row(tree["grid1"], value, 地址="明珠路1号", 房号="301", 姓名="刘德胜",
             联系电话="13700137000", 独居="是")]
    )  # fmt: skip

    report = import_residents(actor, content, dry_run=False)

    assert (report.created, report.updated) == (0, 1)
    assert report.rows[0].household == "existing"
    assert report.rows[0].fields == ("lives_alone", "phone")
    assert report.rows[0].changed_columns == ["独居", "联系电话"]
    db.session.refresh(resident)
    assert resident.phone == "13700137000" and resident.lives_alone
    assert count(Resident) == 1
    update = new_events("update", "resident")[0]
    assert update.entity_id == resident.id and update.field_names == ["lives_alone", "phone"]
    assert household.care_level == 1


def test_empty_cells_keep_what_is_stored(actor, make, tree):
    household = make.household(tree["grid1"], address="明珠路1号")
    resident = make.resident(household, phone="13800138000", health_notes="糖尿病")
    value = vault().decrypt(resident.id_number_encrypted)

    report = import_residents(
        actor, xlsx([row(tree["grid1"], value, 地址="明珠路1号", 姓名="张秀英")]), dry_run=False
    )

    assert report.unchanged == 1
    assert resident.phone == "13800138000" and resident.health_notes == "糖尿病"


def test_a_resident_with_a_new_address_moves_household(actor, make, tree):
    old_home = make.household(tree["grid1"], address="明珠路1号")
    resident = make.resident(old_home, lives_alone=True)
    value = vault().decrypt(resident.id_number_encrypted)

    report = import_residents(
        actor, xlsx([row(tree["grid2"], value, 地址="和诚路5号", 姓名="张秀英")]), dry_run=False
    )

    assert report.rows[0].fields == ("household_id",)
    db.session.refresh(resident)
    assert loaded(resident, "household").household.address == "和诚路5号"
    db.session.refresh(old_home)
    assert old_home.care_level is None  # nobody left there
    assert count(Resident) == 1


# Problems block everything.


def test_a_bad_row_blocks_the_whole_import_and_names_row_and_column(actor, make, tree):
    good, bad = number(make), number(make)
    broken = bad[:17] + ("0" if bad[17] != "0" else "1")
    content = xlsx(
        [
            row(tree["grid1"], good),
            row(tree["grid1"], number(make), 地址="明珠路9号"),
            row(tree["grid1"], broken, 地址="明珠路10号"),
        ]
    )

    report = import_residents(actor, content, dry_run=False)

    assert not report.applied
    assert [(p.row, p.header, p.letter) for p in report.problems] == [(4, "身份证号", "G")]
    assert "check digit" in str(report.problems[0].message)
    assert "row 4, 身份证号 (column G)" in str(report.problems[0])
    assert count(Resident) == 0 and count(Household) == 0


def test_each_kind_of_bad_cell_is_named(actor, make, tree):
    value = number(make)
    content = xlsx(
        [
            row(tree["grid1"], value, 姓名="", 联系电话="12345", 独居="也许", 残疾类别="9",
                残疾等级="5"),
            row(tree["grid1"], number(make), 残疾类别="肢体"),
            row(tree["grid1"], number(make, male=True), 残疾类别=4, 残疾等级=1,
                残疾证号="62020119380308999942"),
            row(tree["grid1"], number(make), 紧急联系人="刘明"),
            row(tree["grid1"], ""),
        ]
    )  # fmt: skip

    found = {(r, h) for r, h, _ in messages(import_residents(actor, content))}

    assert found == {
        (2, "姓名"),
        (2, "联系电话"),
        (2, "独居"),
        (2, "残疾类别"),
        (2, "残疾等级"),
        (3, "残疾等级"),  # a category needs its grade
        (4, "残疾证号"),  # not this resident's number
        (5, "联系人电话"),  # a contact needs a phone
        (6, "身份证号"),  # required
    }


def test_a_number_that_excel_rounded_is_refused(actor, make, tree):
    content = xlsx([row(tree["grid1"], float(number(make)[:17] + "1"))])

    report = import_residents(actor, content)

    assert messages(report)[0][:2] == (2, "身份证号")
    assert "Format the column as Text" in messages(report)[0][2]


def test_the_same_id_number_twice_in_a_file_is_refused(actor, make, tree):
    value = number(make)
    content = xlsx([row(tree["grid1"], value), row(tree["grid2"], value, 地址="和诚路5号")])

    report = import_residents(actor, content, dry_run=False)

    assert messages(report) == [(3, "身份证号", "The same ID number is also on row 2.")]
    assert count(Resident) == 0


def test_a_grid_outside_the_importers_areas_is_refused_like_an_unknown_code(actor, make, tree):
    content = xlsx(
        [row(tree["grid3"], number(make)), row(tree["grid1"], number(make), 网格编码="NOPE")]
    )

    report = import_residents(actor, content, dry_run=False)

    assert messages(report) == [
        (2, "网格编码", f"No grid with the code {tree['grid3'].code} in your areas."),
        (3, "网格编码", "No grid with the code NOPE in your areas."),
    ]
    assert count(Household) == 0


def test_a_person_registered_in_another_area_is_refused_without_details(actor, make, tree):
    elsewhere = make.household(tree["grid3"], address="朝阳路9号")
    resident = make.resident(elsewhere, name="周玉兰")
    value = vault().decrypt(resident.id_number_encrypted)

    report = import_residents(actor, xlsx([row(tree["grid1"], value)]), dry_run=False)

    assert messages(report) == [
        (2, "身份证号", "This ID number is already registered in another area.")
    ]
    assert resident.household_id == elsewhere.id


def test_a_former_resident_is_not_changed_by_an_import(actor, make, tree):
    household = make.household(tree["grid1"], address="明珠路1号")
    resident = make.resident(household, status=ResidentStatus.deceased, status_date=date.today())
    value = vault().decrypt(resident.id_number_encrypted)

    report = import_residents(actor, xlsx([row(tree["grid1"], value, 地址="明珠路1号")]))

    assert messages(report)[0][:2] == (2, "身份证号")
    assert "moved out or deceased" in messages(report)[0][2]


def test_a_closed_household_is_not_filled_by_an_import(actor, make, tree):
    make.household(tree["grid1"], address="明珠路1号", active=False)

    report = import_residents(actor, xlsx([row(tree["grid1"], number(make), 地址="明珠路1号")]))

    assert messages(report) == [
        (2, "地址", "The household at this address is closed. Reopen it first.")
    ]


def test_a_grid_worker_may_not_import(make, tree):
    worker = make.user("grid_worker", areas=[tree["grid1"]])

    with pytest.raises(RegistryPermissionError):
        import_residents(actor_for(worker), xlsx([row(tree["grid1"], number(make))]))


# CSV encodings.


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk_imports(actor, make, tree, encoding):
    value = number(make)
    text = csv_text([row(tree["grid1"], value, 地址="明珠路8号", 姓名="王桂兰", 独居="是")])

    report = import_residents(actor, text.encode(encoding), dry_run=False)

    assert report.applied and report.residents_created == 1
    imported = resident_by_number(value)
    assert (
        imported.name == "王桂兰" and loaded(imported, "household").household.address == "明珠路8号"
    )
    assert imported.lives_alone


def test_a_tab_separated_file_imports(actor, make, tree):
    text = csv_text([row(tree["grid1"], number(make))]).replace(",", "\t")

    assert import_residents(actor, text.encode("utf-8"), dry_run=False).residents_created == 1


# Files refused as a whole.


def refused(actor, content: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        import_residents(actor, content, dry_run=False)
    assert count(Resident) == 0 and count(Household) == 0
    return str(caught.value.message)


def test_text_in_neither_utf8_nor_gbk_is_refused(actor):
    assert "neither UTF-8 nor GBK" in refused(actor, "网格编码,地址".encode("utf-16"))
    assert "neither UTF-8 nor GBK" in refused(actor, b"\xff\xfe\x80abc,def\n")


def test_a_formula_is_refused_naming_its_cell(actor, make, tree):
    content = xlsx([row(tree["grid1"], number(make), 联系电话="=13800138000+1")])

    assert "Cell H2 holds a formula" in refused(actor, content)
    assert "Cell E2 holds a formula" in refused(
        actor, csv_text([row(tree["grid1"], number(make), 房号="=1+1")]).encode()
    )


def test_merged_cells_are_refused_naming_the_range(actor, make, tree):
    book = load_workbook(io.BytesIO(xlsx([row(tree["grid1"], number(make))] * 2)))
    book[DATA_SHEET].merge_cells("A2:A3")
    out = io.BytesIO()
    book.save(out)

    assert "Cells A2:A3 are merged" in refused(actor, out.getvalue())


def test_a_renamed_or_missing_column_is_named(actor, make, tree):
    headers = ["身份证号码" if h == "身份证号" else h for h in HEADERS]

    message = refused(actor, xlsx([row(tree["grid1"], number(make))], headers=headers))

    assert "Missing: 身份证号" in message
    assert "Not recognised: 身份证号码 (G)" in message


def test_optional_columns_may_be_left_out(actor, make, tree):
    headers = ["网格编码", "地址", "姓名", "身份证号"]

    content = xlsx([row(tree["grid1"], number(make))], headers)

    report = import_residents(actor, content, dry_run=False)

    assert report.residents_created == 1


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.7\n\x00\x01binary",
        b"PK\x03\x04 not really a zip",
    ],
    ids=["png", "pdf", "broken zip"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(actor, content):
    assert "not a spreadsheet" in refused(actor, content)


def test_a_zip_that_is_not_a_workbook_is_refused(actor):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")

    assert "not a spreadsheet" in refused(actor, out.getvalue())


def test_a_text_file_without_the_headers_is_refused(actor):
    assert "none of the template's column headers" in refused(actor, b"hello,world\n1,2\n")


def test_an_old_xls_file_is_refused_with_what_to_do(actor):
    assert "Save it as .xlsx" in refused(actor, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)


def test_a_file_over_the_limit_is_refused(actor):
    assert "larger than 10 MB" in refused(actor, b"x" * (MAX_IMPORT_BYTES + 1))


def test_an_empty_file_is_refused(actor):
    assert "empty" in refused(actor, b"")


def test_the_template_holds_the_headers_and_a_help_sheet():
    book = load_workbook(io.BytesIO(import_template()))

    assert [c.value for c in book[DATA_SHEET][1]] == HEADERS
    assert book[DATA_SHEET].max_row == 1  # no sample row that could be imported by mistake
    help_rows = [r[0] for r in book.worksheets[1].iter_rows(values_only=True)]
    assert "身份证号" in help_rows


def test_a_template_saved_without_any_rows_is_refused(actor):
    assert "no rows" in refused(actor, import_template())


def test_blank_rows_are_skipped(actor, make, tree):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append([])
    values = row(tree["grid1"], number(make))
    sheet.append([values.get(h, "") for h in HEADERS])
    out = io.BytesIO()
    book.save(out)

    report = import_residents(actor, out.getvalue(), dry_run=False)

    assert [r.row for r in report.rows] == [3]


def test_id_numbers_keep_their_x_and_are_read_in_lower_case_too(actor, make, tree):
    value = next(
        n
        for n in (id_numbers.make("620201", OLD, seq) for seq in range(2, 999, 2))
        if n.endswith("X")
    )

    report = import_residents(actor, xlsx([row(tree["grid1"], value.lower())]), dry_run=False)

    assert report.residents_created == 1 and resident_by_number(value) is not None


# The page.

EN = {"Accept-Language": "en"}


def upload(client, content: bytes, button: str = "apply", filename: str = "residents.xlsx"):
    return client.post(
        "/registry/import",
        data={"file": (io.BytesIO(content), filename), button: "y"},
        content_type="multipart/form-data",
        headers=EN,
    )


def test_the_import_page_documents_the_columns_and_offers_the_template(client, login, officer):
    login(officer)

    body = client.get("/registry/import", headers=EN).get_data(as_text=True)

    assert all(header in body for header in HEADERS)
    assert "Any problem in any row blocks the whole import" in body
    template = client.get("/registry/import/template.xlsx")
    assert template.status_code == 200
    assert template.headers["Content-Disposition"].startswith("attachment")
    assert [c.value for c in load_workbook(io.BytesIO(template.data))[DATA_SHEET][1]] == HEADERS


def test_checking_a_file_on_the_page_lists_what_would_happen_and_writes_nothing(
    client, login, officer, make, tree
):
    login(officer)
    content = xlsx([row(tree["grid1"], number(make), 姓名="王桂兰")])

    body = upload(client, content, button="check").get_data(as_text=True)

    assert "Check passed: nothing has been written yet" in body
    assert "1 created (0 households" not in body
    assert "2 created (1 households, 1 residents), 0 updated" in body
    assert "王桂兰" in body
    assert count(Resident) == 0


def test_importing_on_the_page_then_again_reports_nothing_changed(
    client, login, officer, make, tree
):
    login(officer)
    content = xlsx([row(tree["grid1"], number(make))])

    first = upload(client, content).get_data(as_text=True)
    again = upload(client, content).get_data(as_text=True)

    assert "Imported" in first and "2 created" in first
    assert "0 created (0 households, 0 residents), 0 updated, 1 unchanged." in again
    assert count(Resident) == 1


def test_a_bad_row_on_the_page_lists_row_and_column_and_imports_nothing(
    client, login, officer, make, tree
):
    login(officer)
    content = xlsx(
        [row(tree["grid1"], number(make)), row(tree["grid1"], number(make), 联系电话="123")]
    )

    body = upload(client, content).get_data(as_text=True)

    assert "Nothing was imported" in body
    assert '<td class="num">3</td><td>联系电话 (H)</td>' in body
    assert "A mobile number has 11 digits" in body
    assert count(Resident) == 0


def test_a_file_refused_as_a_whole_is_explained_next_to_the_field(client, login, officer):
    login(officer)

    body = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00").get_data(as_text=True)

    assert 'class="field  has-error"' in body or "has-error" in body
    assert "This file is not a spreadsheet" in body


def test_an_upload_over_the_request_limit_gets_the_413_page(client, login, officer, app):
    login(officer)
    # A raw body over the limit: refused from its length alone (a multipart one built by
    # the test client would leave a temporary file open).
    response = client.post(
        "/registry/import",
        data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        content_type="multipart/form-data; boundary=file",
        headers=EN,
    )

    assert response.status_code == 413
    assert "The upload is too large" in response.get_data(as_text=True)


def test_grid_workers_cannot_open_the_import_page(client, login, make, tree):
    login(make.user("grid_worker", areas=[tree["grid1"]]))

    assert client.get("/registry/import").status_code == 403


# The command.


def test_the_command_checks_a_file_without_writing(runner, officer, make, tree, tmp_path):
    path = tmp_path / "residents.xlsx"
    path.write_bytes(xlsx([row(tree["grid1"], number(make))]))

    result = runner.invoke(
        args=["import", "residents", str(path), "--dry-run", "--as", officer.username]
    )

    assert result.exit_code == 0, result.output
    assert "dry run, nothing written: 2 created (1 households, 1 residents)" in result.output
    assert count(Resident) == 0


def test_the_command_imports_as_the_named_user(runner, officer, make, tree, tmp_path, new_events):
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_text([row(tree["grid1"], number(make))]).encode("gbk"))

    result = runner.invoke(args=["import", "residents", str(path), "--as", officer.username])

    assert result.exit_code == 0, result.output
    assert "imported: 2 created" in result.output
    assert count(Resident) == 1
    assert {e.user_id for e in new_events()} == {officer.id}
    assert {e.client_addr for e in new_events()} == {"cli"}


def test_the_command_lists_problems_and_fails(runner, officer, make, tree, tmp_path):
    path = tmp_path / "residents.xlsx"
    path.write_bytes(xlsx([row(tree["grid3"], number(make))]))

    result = runner.invoke(args=["import", "residents", str(path), "--as", officer.username])

    assert result.exit_code == 1
    code = tree["grid3"].code
    assert f"row 2, 网格编码 (column A): No grid with the code {code}" in result.output
    assert count(Resident) == 0


def test_the_command_needs_a_known_user(runner, tmp_path):
    path = tmp_path / "residents.csv"
    path.write_text("x")

    result = runner.invoke(args=["import", "residents", str(path), "--as", "nobody"])

    assert result.exit_code == 2
    assert "no active user is called nobody" in result.output


def test_an_id_number_in_full_width_digits_updates_the_same_resident(actor, make, tree):
    value = number(make)
    import_residents(actor, xlsx([row(tree["grid1"], value)]), dry_run=False)
    typed = value.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))

    report = import_residents(
        actor, xlsx([row(tree["grid1"], typed, 联系电话="13800138000")]), dry_run=False
    )

    assert (report.created, report.updated) == (0, 1)
    assert count(Resident) == 1


# Big files are refused early, before a worker runs out of time or memory.


def with_dimension(content: bytes, dimension: str | None) -> bytes:
    """The workbook with its first sheet's declared size replaced (or removed, with None)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                new = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
                data = re.sub(rb"<dimension [^>]*/>", new, data)
            target.writestr(item, data)
    return out.getvalue()


def tiny_rows(count: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for n in range(count):
        sheet.append([n])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_declaring_too_many_rows_is_refused_without_reading_them(actor, make, tree):
    content = with_dimension(xlsx([row(tree["grid1"], number(make))]), "A1:Q380001")

    assert f"more than {MAX_IMPORT_ROWS} rows" in refused(actor, content)


def test_rows_past_the_limit_are_refused_as_soon_as_they_are_read(actor):
    content = with_dimension(tiny_rows(MAX_IMPORT_ROWS + 1), None)
    started = time.monotonic()

    message = refused(actor, content)

    assert f"more than {MAX_IMPORT_ROWS} rows" in message
    assert time.monotonic() - started < 10


def with_repeated_row_number(content: bytes, count: int) -> bytes:
    """The workbook with `count` data rows that all claim to be row 2, no declared size."""
    row = b'<row r="2"><c t="inlineStr"><is><t>x</t></is></c></row>'
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
                data = re.sub(
                    rb"(<sheetData>\s*<row [^>]*>.*?</row>).*</sheetData>",
                    lambda m: m.group(1) + row * count + b"</sheetData>",
                    data,
                    flags=re.S,
                )
            target.writestr(item, data)
    return out.getvalue()


def test_rows_that_all_claim_the_same_number_still_count_against_the_limit(actor):
    content = with_repeated_row_number(tiny_rows(1), 400_000)  # about 130 kB
    started = time.monotonic()

    message = refused(actor, content)

    assert f"more than {MAX_IMPORT_ROWS} rows" in message
    assert time.monotonic() - started < 3


def test_merged_cells_are_found_in_a_streamed_workbook_too(actor, make, tree):
    book = load_workbook(io.BytesIO(xlsx([row(tree["grid1"], number(make))] * 3)))
    book[DATA_SHEET].merge_cells("B3:C4")
    out = io.BytesIO()
    book.save(out)

    assert "Cells B3:C4 are merged" in refused(actor, with_dimension(out.getvalue(), None))


def test_a_csv_with_more_columns_than_a_spreadsheet_has_is_refused(actor):
    content = (",".join(f"c{n}" for n in range(18_279)) + "\n1\n").encode()

    assert "more than 16384 columns" in refused(actor, content)


def test_a_file_with_too_many_columns_is_explained_on_the_page(client, login, officer):
    login(officer)

    response = upload(client, ("x," * 20_000 + "\n").encode(), filename="wide.csv")

    assert response.status_code == 200
    assert "more than 16384 columns" in response.get_data(as_text=True)


@pytest.mark.parametrize("care_header", ["照护等级", "护理等级"])  # now, and in older exports
def test_an_exports_care_level_column_is_read_only_under_either_name(
    actor, make, tree, care_header
):
    content = xlsx([row(tree["grid1"], number(make)) | {care_header: "1"}], [*HEADERS, care_header])
    report = import_residents(actor, content, dry_run=True)
    assert report.problems == []
