from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridcare.clock import utcnow
from gridcare.extensions import db


class SchedulerLease(db.Model):
    """Who leads the scheduler until when: one row per lease name.

    The leader renews it on every heartbeat; a standby takes it once it has expired.
    """

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime]
    renewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRun(db.Model):
    """One run of a scheduled job: when, where, and what it did (or why it failed)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40), index=True)
    holder: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    ok: Mapped[bool | None]
    summary: Mapped[str] = mapped_column(Text, default="")
