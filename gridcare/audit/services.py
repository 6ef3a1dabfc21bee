"""The audit trail: every change and every reveal of an ID number leaves an event."""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import column, func, select, table

from gridcare.audit.models import AuditEvent
from gridcare.clock import day_start_utc
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


def recent_events(
    limit: int = 200,
    offset: int = 0,
    *,
    username: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[AuditEvent]:
    """The trail, newest first, for admins: all of it, or who / what / which record / when.

    `since` and `until` are local calendar days, both included.
    """
    stmt = select(AuditEvent)
    if username:
        user_id = db.session.scalar(
            select(_user_table.c.id).where(
                func.lower(_user_table.c.username) == username.strip().lower()
            )
        )
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if since:
        stmt = stmt.where(AuditEvent.at >= day_start_utc(since))
    if until:
        stmt = stmt.where(AuditEvent.at < day_start_utc(until + timedelta(days=1)))
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(stmt))


# The accounts table, named here without importing the accounts domain (which imports this).
_user_table = table("user", column("id"), column("username"))


def usernames(events: Iterable[AuditEvent]) -> dict[int, str]:
    """The username behind each event's user id, for showing the trail to people."""
    ids = {event.user_id for event in events if event.user_id is not None}
    if not ids:
        return {}
    stmt = select(_user_table.c.id, _user_table.c.username).where(_user_table.c.id.in_(ids))
    return dict(db.session.execute(stmt).all())
