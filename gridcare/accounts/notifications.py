"""Notifications: in-app messages to users (a hazard escalated, an overdue digest), read
and unread. Other domains queue them with `notify` inside their own transaction."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update

from gridcare.accounts.models import Notification
from gridcare.clock import utcnow
from gridcare.dialects import insert_ignoring_conflicts
from gridcare.extensions import db


@dataclass(frozen=True)
class Message:
    """One message for `notify_each`: the same fields as `notify` takes."""

    user_ids: Sequence[int]
    kind: str
    entity: str | None = None
    entity_id: int | None = None
    params: dict | None = None
    dedupe: str | None = None


def notify(
    user_ids,
    kind: str,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    params: dict | None = None,
    dedupe: str | None = None,
) -> int:
    """Queue a message for each user; with `dedupe`, a second send of the same key is a no-op.

    Does not commit: the change that caused the message commits it.
    """
    return notify_each([Message(list(user_ids), kind, entity, entity_id, params, dedupe)])


def notify_each(messages: Iterable[Message]) -> int:
    """Queue many messages in one statement (a job telling hundreds of people); how many
    were new. Does not commit."""
    now = utcnow()
    rows = [
        {
            "user_id": user_id,
            "kind": m.kind,
            "entity": m.entity,
            "entity_id": m.entity_id,
            "params": m.params or {},
            "dedupe_key": f"{m.dedupe}:{user_id}" if m.dedupe else None,
            "created_at": now,
        }
        for m in messages
        for user_id in dict.fromkeys(m.user_ids)
    ]
    if not rows:
        return 0
    stmt = insert_ignoring_conflicts(Notification).returning(Notification.id)
    return len(db.session.execute(stmt, rows).all())


def unread_count(user_id: int) -> int:
    """How many messages the user has not read yet."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def notifications_for(user_id: int, limit: int = 100) -> list[Notification]:
    """The user's latest messages, unread first, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def mark_read(user_id: int, notification_ids=None) -> int:
    """Mark the user's messages read: the given ones, or all of them."""
    stmt = (
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    count = db.session.execute(stmt).rowcount
    db.session.commit()
    return count
