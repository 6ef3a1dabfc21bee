"""The audit trail: every change and every reveal of an ID number leaves an event."""

from collections.abc import Iterable

from sqlalchemy import select

from gridcare.audit.models import AuditEvent
from gridcare.extensions import db


def record(
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    user_id: int | None,
    client_addr: str | None,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Add an audit event to the session; the caller's single commit stores it with the change."""
    event = AuditEvent(
        action=action,
        entity=entity,
        entity_id=entity_id,
        user_id=user_id,
        client_addr=client_addr,
        fields=",".join(sorted(set(fields))),
    )
    db.session.add(event)
    return event


def events_for(entity: str, entity_id: int, limit: int = 50) -> list[AuditEvent]:
    """The latest events about one record, newest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def recent_events(limit: int = 200, offset: int = 0) -> list[AuditEvent]:
    """The whole trail, newest first, for admins."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(stmt))
