"""The morning digest: each worker is told what is due, overdue and late."""

from datetime import date

from sqlalchemy import func, select

from gridcare.accounts.models import Role, User
from gridcare.accounts.services import Message, notify_each
from gridcare.dialects import count_if
from gridcare.extensions import db
from gridcare.hazards.models import Hazard
from gridcare.hazards.services.lifecycle import OPEN_STATUSES
from gridcare.visits.models import Visit, VisitStatus


def worker_digest(today: date) -> int:
    """Each morning, a message to every worker with work: due today, overdue, hazards late."""
    due, late = count_if(Visit.due_date == today), count_if(Visit.due_date < today)
    visits = {
        worker_id: (d, o)
        for worker_id, d, o in db.session.execute(
            select(Visit.worker_id, due, late)
            .where(Visit.status == VisitStatus.planned, Visit.due_date <= today)
            .group_by(Visit.worker_id)
        )
    }
    hazards = dict(
        db.session.execute(
            select(Hazard.assignee_id, func.count(Hazard.id))
            .where(Hazard.status.in_(OPEN_STATUSES), Hazard.deadline < today)
            .group_by(Hazard.assignee_id)
        ).all()
    )
    workers = db.session.scalars(
        select(User.id)
        .where(User.role == Role.grid_worker, User.active.is_(True))
        .order_by(User.id)
    )
    messages = []
    for worker_id in workers:
        due_today, overdue = visits.get(worker_id, (0, 0))
        late_hazards = hazards.get(worker_id, 0)
        if due_today or overdue or late_hazards:
            messages.append(
                Message(
                    [worker_id],
                    "worker_digest",
                    params={"due": due_today, "overdue": overdue, "hazards": late_hazards},
                    dedupe=f"digest:{today.isoformat()}",
                )
            )
    sent = notify_each(messages)  # one statement for a city's few hundred workers
    db.session.commit()
    return sent
