"""The needs catalogue an assessment chooses from; admins add, rename and retire rows."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gridcare.accounts.models import Role
from gridcare.accounts.services import Actor
from gridcare.extensions import db
from gridcare.renovation.models import RenovationNeed
from gridcare.renovation.services.errors import RenovationError, RenovationForbidden

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def catalogue(include_retired: bool = False) -> list[RenovationNeed]:
    """The needs in the order an assessment lists them; retired ones only when asked."""
    stmt = select(RenovationNeed).order_by(RenovationNeed.position, RenovationNeed.id)
    if not include_retired:
        stmt = stmt.where(RenovationNeed.active.is_(True))
    return list(db.session.scalars(stmt))


def _check_admin(actor: Actor) -> None:
    if actor.role != Role.admin:
        raise RenovationForbidden("code", _l("Only an administrator edits the needs catalogue."))


def _check_labels(label_zh: str, label_en: str) -> tuple[str, str]:
    label_zh, label_en = (label_zh or "").strip(), (label_en or "").strip()
    if not label_zh:
        raise RenovationError("label_zh", _l("Give the need a Chinese name."))
    if not label_en:
        raise RenovationError("label_en", _l("Give the need an English name."))
    return label_zh, label_en


def add_need(actor: Actor, code: str, label_zh: str, label_en: str) -> RenovationNeed:
    """Add a need at the end of the catalogue; its code is fixed once given."""
    _check_admin(actor)
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise RenovationError(
            "code", _l("A code is lower-case letters, digits and _, starting with a letter.")
        )
    if db.session.scalar(select(RenovationNeed.id).where(RenovationNeed.code == code)):
        raise RenovationError("code", _l("A need with this code exists already."))
    label_zh, label_en = _check_labels(label_zh, label_en)
    last = db.session.scalar(select(func.max(RenovationNeed.position))) or 0
    need = RenovationNeed(code=code, label_zh=label_zh, label_en=label_en, position=last + 1)
    db.session.add(need)
    db.session.flush()
    actor.audit("create", "renovation_need", need.id, ["code", "label_zh", "label_en"])
    db.session.commit()
    return need


def update_need(
    actor: Actor, need: RenovationNeed, label_zh: str, label_en: str, active: bool
) -> RenovationNeed:
    """Rename a need or retire it; cases that chose it keep it."""
    _check_admin(actor)
    need.label_zh, need.label_en = _check_labels(label_zh, label_en)
    need.active = active
    actor.audit("update", "renovation_need", need.id, ["label_zh", "label_en", "active"])
    db.session.commit()
    return need
