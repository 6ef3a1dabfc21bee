from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridcare.clock import utcnow
from gridcare.extensions import db


class AuditEvent(db.Model):
    """Who did what to which record, and from where. Field names only, never values."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    fields: Mapped[str] = mapped_column(Text, default="")
    client_addr: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    @property
    def field_names(self) -> list[str]:
        return [name for name in self.fields.split(",") if name]
