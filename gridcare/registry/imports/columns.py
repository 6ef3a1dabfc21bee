"""The import template's columns: their Chinese headers (the contract), what each may
hold, and the words a cell may use for yes, no and the disability categories."""

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    """One column of the import template; `header` is the contract, in Chinese."""

    header: str
    key: str
    label: Any
    hint: Any = ""
    required: bool = False
    max_length: int | None = None
    # Long digit strings: kept as text in the template so Excel does not round them.
    text: bool = False


COLUMNS = (
    Column(
        "网格编码",
        "grid_code",
        _l("Grid code"),
        _l("As shown on the Areas page."),
        required=True,
    ),
    Column(
        "地址",
        "address",
        _l("Street address"),
        _l("Street and number, e.g. 新华路12号."),
        required=True,
        max_length=200,
    ),
    Column("楼栋", "building", _l("Building"), max_length=20),
    Column("单元", "unit", _l("Unit"), max_length=20),
    Column("房号", "room", _l("Room"), max_length=20),
    Column("姓名", "name", _l("Full name"), required=True, max_length=50),
    Column(
        "身份证号",
        "id_number",
        _l("ID number"),
        _l("18 characters; birth date and gender are read from it."),
        required=True,
        text=True,
    ),
    Column("联系电话", "phone", _l("Phone"), _l("A mobile number, 11 digits."), text=True),
    Column("独居", "lives_alone", _l("Lives alone"), _l("是 or 否.")),
    Column("空巢", "empty_nest", _l("Empty nest"), _l("是 or 否.")),
    Column(
        "残疾类别",
        "disability_category",
        _l("Disability category"),
        _l("1 视力, 2 听力, 3 言语, 4 肢体, 5 智力, 6 精神, 7 多重: the number or the name."),
    ),
    Column("残疾等级", "disability_grade", _l("Disability grade"), _l("1 (most severe) to 4.")),
    Column(
        "残疾证号",
        "disability_certificate",
        _l("Disability certificate number"),
        _l("20 characters: the ID number, then the category and grade digits."),
        text=True,
    ),
    Column("紧急联系人", "contact_name", _l("Emergency contact"), max_length=50),
    Column(
        "联系人关系",
        "contact_relation",
        _l("Relation"),
        _l("e.g. 儿子, 女儿, 邻居."),
        max_length=30,
    ),
    Column(
        "联系人电话",
        "contact_phone",
        _l("Contact phone"),
        _l("A mobile number, 11 digits."),
        text=True,
    ),
    Column("健康备注", "health_notes", _l("Health notes"), max_length=2000),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
# Written by the export for reading; derived from the ID number or the registry, so an
# export with full ID numbers can be imported again and these columns are left alone.
EXPORT_ONLY_HEADERS = ("网格名称", "性别", "出生日期", "照护等级")
# Exports made before the word was settled said 护理等级; their files still import.
OLD_EXPORT_ONLY_HEADERS = ("护理等级",)

# Resident fields, as audit events and reports name them, and the column each comes from.
FIELD_COLUMNS = {
    "household_id": "地址",
    "name": "姓名",
    "phone": "联系电话",
    "lives_alone": "独居",
    "empty_nest": "空巢",
    "disability_category": "残疾类别",
    "disability_grade": "残疾等级",
    "disability_certificate": "残疾证号",
    "contacts": "紧急联系人",
    "health_notes": "健康备注",
}
# Where a registry check's field lands in the sheet.
ERROR_COLUMNS = {
    "id_number": "id_number",
    "phone": "phone",
    "disability_category": "disability_category",
    "disability_grade": "disability_grade",
    "disability_certificate": "disability_certificate",
    "contacts": "contact_name",
    "contacts.0.name": "contact_name",
    "contacts.0.phone": "contact_phone",
}

YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "无", "不是"})
CATEGORY_NAMES = {"视力": 1, "听力": 2, "言语": 3, "肢体": 4, "智力": 5, "精神": 6, "多重": 7}
GRADE_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4}
