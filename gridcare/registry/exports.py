"""Export of the registry in scope, as CSV or XLSX, with the households list's filters.

One row per current resident, in the import template's columns (plus a few for reading),
so that an export with full ID numbers can be corrected and imported again. ID numbers
and certificate numbers are masked unless the role may see them and the user asks;
every export is audited, and full numbers also count as a view of each one.
"""

from dataclasses import dataclass

from sqlalchemy.orm import contains_eager, selectinload

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry import services as registry
from gridcare.registry.imports import CATEGORY_NAMES, COLUMNS
from gridcare.registry.models import Gender, Household, Resident
from gridcare.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, Table, csv_bytes, xlsx_bytes

FORMATS = ("csv", "xlsx")
CATEGORY_BY_NUMBER = {number: name for name, number in CATEGORY_NAMES.items()}
GENDER_TEXT = {Gender.male: "男", Gender.female: "女"}
# The template's columns, with the grid's name, gender, birth date and care level added
# for reading (the import leaves those four alone).
HEADER = [
    "网格编码",
    "网格名称",
    *(c.header for c in COLUMNS[1:7]),
    "性别",
    "出生日期",
    *(c.header for c in COLUMNS[7:]),
    "照护等级",
]
WIDTHS = [12, 14, 24, 8, 8, 8, 10, 22, 6, 12, 14, 6, 6, 10, 10, 24, 10, 10, 14, 30, 8]
# What an export holds, for its audit event.
EXPORTED_FIELDS = [
    "grid_id",
    "address",
    "building",
    "unit",
    "room",
    "name",
    "id_number",
    "gender",
    "birth_date",
    "phone",
    "lives_alone",
    "empty_nest",
    "disability_category",
    "disability_grade",
    "disability_certificate",
    "contacts",
    "health_notes",
    "care_level",
]


@dataclass(frozen=True)
class ExportFile:
    filename: str
    mimetype: str
    content: bytes
    residents: int


def may_export(actor: Actor) -> bool:
    """Officers, civil-affairs staff and admins export; grid workers' phones do not."""
    return actor.can(Permission.edit_registry) or actor.can(Permission.view_reports)


def export_registry(
    actor: Actor,
    fmt: str,
    *,
    area_id: int | None = None,
    care_level: int | None = None,
    flag: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
    full_ids: bool = False,
) -> ExportFile:
    """The residents of the households in scope that match the filters, as CSV or XLSX.

    Audited as an export; with `full_ids` (for roles that may reveal ID numbers) each
    resident's full number is also recorded as viewed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if not may_export(actor) or (full_ids and not actor.can(Permission.reveal_id_number)):
        raise registry.RegistryPermissionError("export")
    stmt = registry.households_query(
        actor.scope,
        area_id=area_id,
        care_level=care_level,
        flag=flag,
        q=q,
        include_inactive=include_inactive,
    ).options(
        contains_eager(Household.grid),
        selectinload(Household.residents).selectinload(Resident.contacts),
    )
    on = today()
    rows, exported = [], []
    for household in db.session.scalars(stmt):
        for resident in household.active_residents:
            rows.append(_row(household, resident, full_ids))
            exported.append(resident.id)
    actor.audit("export", "resident", None, EXPORTED_FIELDS)
    if full_ids:
        for resident_id in exported:
            actor.audit("reveal_id_number", "resident", resident_id, ["id_number"])
    db.session.commit()
    name = f"gridcare-registry-{on.isoformat()}.{fmt}"
    table = Table("居民登记", HEADER, rows, widths=WIDTHS)
    if fmt == "csv":
        return ExportFile(name, CSV_MIMETYPE, csv_bytes(table), len(rows))
    return ExportFile(name, XLSX_MIMETYPE, xlsx_bytes(table), len(rows))


def _row(household: Household, resident: Resident, full_ids: bool) -> list:
    number = vault().decrypt(resident.id_number_encrypted)
    certificate = resident.disability_certificate_encrypted
    certificate = vault().decrypt(certificate) if certificate else ""
    if not full_ids:
        number = id_numbers.mask(number)
        certificate = id_numbers.mask(certificate) if certificate else ""
    contact = resident.contacts[0] if resident.contacts else None
    return [
        household.grid.code,
        household.grid.name,
        household.address,
        household.building,
        household.unit,
        household.room,
        resident.name,
        number,
        GENDER_TEXT[resident.gender],
        resident.birth_date.isoformat(),
        resident.phone,
        _yes_no(resident.lives_alone),
        _yes_no(resident.empty_nest),
        CATEGORY_BY_NUMBER.get(resident.disability_category, ""),
        resident.disability_grade or "",
        certificate,
        contact.name if contact else "",
        contact.relation if contact else "",
        contact.phone if contact else "",
        resident.health_notes,
        household.care_level or "",
    ]


def _yes_no(flag: bool) -> str:
    return "是" if flag else "否"
