import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridcare.clock import utcnow
from gridcare.extensions import db


class Role(enum.StrEnum):
    grid_worker = "grid_worker"
    officer = "officer"
    civil_affairs = "civil_affairs"
    admin = "admin"

    @property
    def label(self):
        return {
            Role.grid_worker: _l("Grid worker"),
            Role.officer: _l("Community officer"),
            Role.civil_affairs: _l("Civil affairs"),
            Role.admin: _l("Administrator"),
        }[self]


user_area = Table(
    "user_area",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        db.Enum(Role, native_enum=False, length=16, validate_strings=True), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie; rotating it ends every session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    areas: Mapped[list["Area"]] = relationship(  # noqa: F821
        secondary=user_area, lazy="raise", order_by="Area.path"
    )

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Permission(enum.StrEnum):
    view_registry = "view_registry"
    edit_registry = "edit_registry"
    correct_contacts = "correct_contacts"
    reveal_id_number = "reveal_id_number"
    view_reports = "view_reports"
    manage_areas = "manage_areas"
    manage_users = "manage_users"
    view_audit = "view_audit"
    log_visits = "log_visits"
    assign_visits = "assign_visits"
    manage_scoring = "manage_scoring"
    # Officers (and street leaders, officers over a street) rate workers and give points.
    rate_workers = "rate_workers"
    manage_rules = "manage_rules"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.grid_worker: frozenset(
        {Permission.view_registry, Permission.correct_contacts, Permission.log_visits}
    ),
    Role.officer: frozenset(
        {
            Permission.view_registry,
            Permission.edit_registry,
            Permission.correct_contacts,
            Permission.reveal_id_number,
            Permission.view_reports,
            Permission.log_visits,
            Permission.assign_visits,
            Permission.rate_workers,
        }
    ),
    Role.civil_affairs: frozenset(
        {Permission.view_registry, Permission.reveal_id_number, Permission.view_reports}
    ),
    Role.admin: frozenset(
        {
            Permission.view_registry,
            Permission.edit_registry,
            Permission.correct_contacts,
            Permission.view_reports,
            Permission.manage_areas,
            Permission.manage_users,
            Permission.view_audit,
            Permission.assign_visits,
            Permission.manage_scoring,
            Permission.manage_rules,
        }
    ),
}


class Notification(db.Model):
    """An in-app message to one user, shown in their own language when read.

    `kind` picks the sentence and `params` fills it. `dedupe_key` makes sending
    idempotent: a job that runs twice cannot notify twice.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    entity: Mapped[str | None] = mapped_column(String(30))
    entity_id: Mapped[int | None]
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)
