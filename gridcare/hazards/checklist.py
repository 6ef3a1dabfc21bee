"""The safety-check template an admin edits: items with Chinese and English labels, the
hazard category a failed item pre-fills, an order, active or retired.

Items are never deleted and their code never changes: a past check stores its answers by
code, so a retired item still reads with its label, and a relabelled one with the words
it was asked in (`label_history`). The next check asks the active items,
in order. It lives with hazards because an item's category is a hazard category.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.clock import utcnow
from gridcare.errors import FieldError
from gridcare.extensions import db
from gridcare.hazards.models import HazardCategory
from gridcare.visits.models import ChecklistItem

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


class ChecklistError(FieldError):
    """A change to the checklist refused; `field` names the form field."""


def _require(actor: Actor) -> None:
    if not actor.can(Permission.manage_rules):
        raise ChecklistError("label_zh", _l("Only an admin changes the checklist."))


def all_checklist_items() -> list[ChecklistItem]:
    """Every item, the active ones first in the order a check asks them, then the retired."""
    return list(
        db.session.scalars(
            select(ChecklistItem).order_by(
                ChecklistItem.active.desc(), ChecklistItem.position, ChecklistItem.id
            )
        )
    )


def _check_fields(label_zh: str, label_en: str, hazard_category: str) -> tuple[str, str]:
    label_zh, label_en = (label_zh or "").strip(), (label_en or "").strip()
    if not label_zh:
        raise ChecklistError("label_zh", _l("Give the Chinese label."))
    if not label_en:
        raise ChecklistError("label_en", _l("Give the English label."))
    if len(label_zh) > 100:
        raise ChecklistError("label_zh", _l("At most 100 characters."))
    if len(label_en) > 100:
        raise ChecklistError("label_en", _l("At most 100 characters."))
    if hazard_category not in HazardCategory.__members__:
        raise ChecklistError("hazard_category", _l("Choose a hazard category."))
    return label_zh, label_en


def add_checklist_item(
    actor: Actor, *, code: str, label_zh: str, label_en: str, hazard_category: str
) -> ChecklistItem:
    """A new item, asked last in the next safety check."""
    _require(actor)
    code = (code or "").strip()
    if not CODE_PATTERN.match(code):
        raise ChecklistError(
            "code", _l("2 to 32 small letters, digits or _, starting with a letter.")
        )
    if db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.code == code)):
        raise ChecklistError("code", _l("An item with this code exists (perhaps retired)."))
    label_zh, label_en = _check_fields(label_zh, label_en, hazard_category)
    last = db.session.scalar(select(func.max(ChecklistItem.position))) or 0
    item = ChecklistItem(
        code=code,
        label_zh=label_zh,
        label_en=label_en,
        hazard_category=hazard_category,
        position=last + 1,
        active=True,
    )
    db.session.add(item)
    db.session.flush()
    actor.audit("create", "checklist_item", item.id, ["code", "labels", "hazard_category"])
    db.session.commit()
    return item


def update_checklist_item(
    actor: Actor,
    item: ChecklistItem,
    *,
    label_zh: str,
    label_en: str,
    hazard_category: str,
    active: bool,
) -> ChecklistItem:
    """Change an item's labels, category, or retire / bring it back (its code stays)."""
    _require(actor)
    label_zh, label_en = _check_fields(label_zh, label_en, hazard_category)
    changed = [
        name
        for name, value in (
            ("label_zh", label_zh),
            ("label_en", label_en),
            ("hazard_category", hazard_category),
            ("active", active),
        )
        if getattr(item, name) != value
    ]
    if changed:
        if active and not item.active:
            # Back at the end of the check, not at a place the others have since taken.
            item.position = (db.session.scalar(select(func.max(ChecklistItem.position))) or 0) + 1
        if (item.label_zh, item.label_en) != (label_zh, label_en):
            earlier = {"until": utcnow().isoformat(), "label_zh": item.label_zh}
            earlier["label_en"] = item.label_en
            item.label_history = [*(item.label_history or []), earlier]
        item.label_zh, item.label_en = label_zh, label_en
        item.hazard_category, item.active = hazard_category, active
        actor.audit("update", "checklist_item", item.id, changed)
    db.session.commit()
    return item


def move_checklist_item(actor: Actor, item: ChecklistItem, step: int) -> bool:
    """Move an active item one place earlier (-1) or later (+1); False at either end."""
    _require(actor)
    if step not in (-1, 1) or not item.active:
        return False
    active = [i for i in all_checklist_items() if i.active]
    index = active.index(item)
    other = index + step
    if not 0 <= other < len(active):
        return False
    # Renumber all: seeded positions may have gaps or ties after retirements.
    active[index], active[other] = active[other], active[index]
    for position, each in enumerate(active, start=1):
        each.position = position
    actor.audit("update", "checklist_item", item.id, ["position"])
    db.session.commit()
    return True
