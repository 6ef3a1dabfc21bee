import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridcare.extensions import db


class AreaKind(enum.StrEnum):
    district = "district"
    street = "street"
    community = "community"
    grid = "grid"

    @property
    def depth(self) -> int:
        return list(AreaKind).index(self)

    @property
    def child_kind(self) -> "AreaKind | None":
        kinds = list(AreaKind)
        return kinds[self.depth + 1] if self.depth + 1 < len(kinds) else None

    @property
    def parent_kind(self) -> "AreaKind | None":
        return list(AreaKind)[self.depth - 1] if self.depth else None

    @property
    def label(self):
        return {
            AreaKind.district: _l("District"),
            AreaKind.street: _l("Street"),
            AreaKind.community: _l("Community"),
            AreaKind.grid: _l("Grid"),
        }[self]


class Area(db.Model):
    """A node of the one area tree: district > street > community > grid."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AreaKind] = mapped_column(
        db.Enum(AreaKind, native_enum=False, length=16, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    # "/1/4/17/230/": everything under an area is one prefix match on this indexed column.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")

    parent: Mapped["Area | None"] = relationship(remote_side=[id], lazy="raise")

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.kind} {self.name}>"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def contains(self, other: "Area") -> bool:
        return other.path.startswith(self.path)

    @classmethod
    def scope_path(cls):
        return cls.path
