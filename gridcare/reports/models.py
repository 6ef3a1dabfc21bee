from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gridcare.clock import utcnow
from gridcare.extensions import db


class ReportSnapshot(db.Model):
    """A closed month's figures for one area, kept as they were reported.

    Residents move and records get corrected; the live recomputation changes with them,
    the snapshot does not.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    period_key: Mapped[str] = mapped_column(String(24))
    figures: Mapped[dict] = mapped_column(JSON)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("uq_report_snapshot_area_period", "area_id", "period_key", unique=True),
    )
