"""Accounts: who may log in, with which role, over which areas."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from gridcare.accounts.models import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    User,
    new_session_token,
    user_area,
)

# Notifications have their own module; re-exported for callers that import them from here.
from gridcare.accounts.notifications import Message as Message
from gridcare.accounts.notifications import mark_read as mark_read
from gridcare.accounts.notifications import notifications_for as notifications_for
from gridcare.accounts.notifications import notify as notify
from gridcare.accounts.notifications import notify_each as notify_each
from gridcare.accounts.notifications import unread_count as unread_count
from gridcare.areas.models import Area
from gridcare.areas.scope import EVERYWHERE, NOWHERE, Scope
from gridcare.audit import services as audit
from gridcare.clock import utcnow
from gridcare.errors import FieldError
from gridcare.extensions import db

MIN_PASSWORD_LENGTH = 12


class AccountError(FieldError):
    """An account change the rules refuse."""


@dataclass(frozen=True)
class Actor:
    """The person behind a request, as services need them: identity, role, scope, address."""

    user_id: int | None
    role: Role | None
    scope: Scope
    client_addr: str | None = None

    def can(self, permission: Permission) -> bool:
        return self.role is not None and permission in ROLE_PERMISSIONS[self.role]

    def audit(self, action: str, entity: str, entity_id: int | None, fields=()) -> None:
        audit.record(
            action,
            entity,
            entity_id,
            user_id=self.user_id,
            client_addr=self.client_addr,
            fields=fields,
        )


SYSTEM = Actor(user_id=None, role=Role.admin, scope=EVERYWHERE, client_addr="system")


def actor_for(user: User | None, client_addr: str | None = None) -> Actor:
    """The Actor for a logged-in user; admins see every area, others their assigned ones."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, None, NOWHERE, client_addr)
    scope = EVERYWHERE if user.role == Role.admin else _own_scope(user.id)
    return Actor(user.id, user.role, scope, client_addr)


def _own_scope(user_id: int) -> Scope:
    # Only the paths: every request builds an Actor, and the Area rows would go unused.
    return Scope(
        tuple(
            db.session.scalars(
                select(Area.path)
                .join(user_area, user_area.c.area_id == Area.id)
                .where(user_area.c.user_id == user_id)
                .order_by(Area.path)
            )
        )
    )


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


@cache
def _dummy_hash(method: str) -> str:
    # Checked when the username is unknown, with the real method, so that both paths take
    # as long and response times do not reveal which usernames exist.
    return generate_password_hash("gridcare-timing-equaliser", method=method)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password", _l("Passwords need at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )


def authenticate(username: str, password: str, client_addr: str | None = None) -> User | None:
    """The active user with these credentials, or None; the attempt is audited either way."""
    user = db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )
    if user is None:
        check_password_hash(_dummy_hash(_hash_method()), password)
        # The typed username is not kept: it is a value, and is sometimes a password.
        audit.record("login_failed", "user", None, user_id=None, client_addr=client_addr)
        db.session.commit()
        return None
    ok = check_password_hash(user.password_hash, password) and user.active
    audit.record(
        "login" if ok else "login_failed",
        "user",
        user.id,
        user_id=user.id,
        client_addr=client_addr,
    )
    if ok:
        user.last_login_at = utcnow()
    db.session.commit()
    return user if ok else None


def load_user(cookie_id: str) -> User | None:
    """The user a login cookie names, if its session token is still current."""
    user_id, _, token = cookie_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def end_sessions(user: User) -> None:
    """Log a user out everywhere: every cookie carrying the old token stops working."""
    user.session_token = new_session_token()
    db.session.commit()


def _areas_by_id(area_ids: Sequence[int]) -> list[Area]:
    if not area_ids:
        return []
    return list(db.session.scalars(select(Area).where(Area.id.in_(area_ids))))


def create_user(
    actor: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    area_ids: Sequence[int] = (),
    full_name: str = "",
    phone: str = "",
    locale: str | None = None,
    active: bool = True,
) -> User:
    """Create an account; its password must be long enough and its username unused."""
    username = username.strip()
    check_password_strength(password)
    taken = select(User.id).where(func.lower(User.username) == username.lower())
    if db.session.scalar(taken) is not None:
        raise AccountError("username", _l("This username is already taken."))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        full_name=full_name.strip(),
        phone=phone.strip(),
        locale=locale or None,
        active=active,
        areas=_areas_by_id(area_ids),
    )
    db.session.add(user)
    db.session.flush()
    actor.audit("create", "user", user.id, ["username", "role", "areas", "password"])
    db.session.commit()
    return user


def update_user(
    actor: Actor,
    user: User,
    *,
    role: Role,
    area_ids: Sequence[int],
    full_name: str,
    phone: str,
    active: bool,
) -> User:
    """Change an account's role, areas, details or active flag.

    A change of role, areas or active flag ends the account's sessions at once.
    """
    user = user_with_areas(user.id)
    if user.role == Role.admin and user.active and (role != Role.admin or not active):
        _keep_an_admin(user, "role" if role != Role.admin else "active")
    changed = []
    if user.role != role:
        user.role = role
        changed.append("role")
    new_areas = _areas_by_id(area_ids)
    if {a.id for a in new_areas} != {a.id for a in user.areas}:
        user.areas = new_areas
        changed.append("areas")
    for field, value in (("full_name", full_name.strip()), ("phone", phone.strip())):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if user.active != active:
        user.active = active
        changed.append("active")
    if {"role", "areas", "active"} & set(changed):
        # A narrower role or scope must take effect now, not at the next login.
        user.session_token = new_session_token()
    if changed:
        actor.audit("update", "user", user.id, changed)
    db.session.commit()
    return user


def _keep_an_admin(user: User, field: str) -> None:
    others = select(func.count(User.id)).where(
        User.role == Role.admin, User.active.is_(True), User.id != user.id
    )
    if not db.session.scalar(others):
        raise AccountError(field, _l("At least one active administrator must remain."))


def verify_password(user: User, password: str) -> bool:
    """Whether `password` is this user's current password (to confirm a sensitive change)."""
    return check_password_hash(user.password_hash, password)


def set_password(actor: Actor, user: User, password: str) -> User:
    """Replace a password; every existing session of that user ends."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    actor.audit("update", "user", user.id, ["password"])
    db.session.commit()
    return user


def set_locale(user: User, locale: str | None) -> User:
    """Remember the language a user chose for the interface."""
    user.locale = locale or None
    db.session.commit()
    return user


def user_with_areas(user_id: int) -> User | None:
    """One account with its areas, as the account form shows and `update_user` compares them."""
    return db.session.scalar(
        select(User).where(User.id == user_id).options(selectinload(User.areas))
    )


def list_users(role: Role | None = None) -> list[User]:
    """All accounts, by username, optionally of one role, with their areas."""
    stmt = select(User).order_by(User.username).options(selectinload(User.areas))
    if role:
        stmt = stmt.where(User.role == role)
    return list(db.session.scalars(stmt))
