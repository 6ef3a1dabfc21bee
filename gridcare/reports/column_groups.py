"""The coverage tables' columns in the groups a reader hides or keeps together: visits,
safety checks, timeliness, hazards, and the registry counts."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

GROUP_LABELS = {
    "visits": _l("Visits"),
    "safety": _l("Safety checks"),
    "timeliness": _l("Timeliness"),
    "hazards": _l("Hazards"),
    "registry": _l("Registry"),
}
COLUMN_GROUP = {
    "checked": "safety",
    "safety_coverage": "safety",
    "on_time": "timeliness",
    "late": "timeliness",
    "missed": "timeliness",
    "timeliness": "timeliness",
    "closed_in_time_share": "hazards",
    "median_days_to_close": "hazards",
    "living_alone": "registry",
    "empty_nest": "registry",
    "disabled": "registry",
}


@dataclass(frozen=True)
class ColumnGroup:
    key: str
    label: str
    columns: list[tuple[str, str]]


def group_of(name: str) -> str:
    """A column's group; a figure no group names is a visit figure, or a hazard one."""
    if name in COLUMN_GROUP:
        return COLUMN_GROUP[name]
    return "hazards" if name.startswith("hazards_") else "visits"


def grouped(columns: list[tuple[str, str]]) -> list[ColumnGroup]:
    """The columns by group, groups in a fixed order, columns in their own order within."""
    by_group: dict[str, list[tuple[str, str]]] = {key: [] for key in GROUP_LABELS}
    for name, label in columns:
        by_group[group_of(name)].append((name, label))
    return [
        ColumnGroup(key, str(GROUP_LABELS[key]), cols) for key, cols in by_group.items() if cols
    ]


def cell_classes(groups: list[ColumnGroup]) -> list[tuple[str, str]]:
    """Each column's name and its cells' classes, in the order the tables show them."""
    return [
        (name, f"num g-{group.key}" + (" group-start" if n == 0 else ""))
        for group in groups
        for n, (name, _) in enumerate(group.columns)
    ]
