"""Points with a basis (加减分): a bonus or a deduction for a worker's month, each with its
reason and, where there is one, the record it rests on. Each is audited and shown to the
worker; the month's totals stay within the limits of the indicator set."""

from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gridcare.extensions import db
from gridcare.hazards.models import Hazard
from gridcare.performance.models import AdjustmentKind, BasisKind, PointAdjustment
from gridcare.performance.services.errors import PerformanceError
from gridcare.performance.services.indicator_sets import set_for
from gridcare.performance.services.months import writable_month
from gridcare.visits.models import LifeEvent, Visit

MAX_REASON = 500

# Each kind of basis, and the model whose record it names: the record must be in the
# officer's areas.
BASIS_MODELS: dict[BasisKind, Callable[[], type]] = {
    BasisKind.hazard: lambda: Hazard,
    BasisKind.visit: lambda: Visit,
    BasisKind.life_event: lambda: LifeEvent,
}


def basis_kinds() -> list[BasisKind]:
    """The kinds of record a point can rest on in this installation."""
    return [kind for kind in BasisKind if kind in BASIS_MODELS]


def _check_basis(actor, basis_kind, basis_id) -> tuple[BasisKind | None, int | None]:
    if not basis_kind:
        if basis_id:
            raise PerformanceError("basis_kind", _l("Say what kind of record this number is."))
        return None, None
    try:
        kind = BasisKind(basis_kind)
    except ValueError as exc:
        raise PerformanceError("basis_kind", _l("Choose one of the list.")) from exc
    if kind not in BASIS_MODELS:
        raise PerformanceError("basis_kind", _l("Choose one of the list."))
    if not basis_id:
        raise PerformanceError("basis_id", _l("Give the number of the record."))
    model = BASIS_MODELS[kind]()
    found = db.session.scalar(
        select(model.id).where(model.id == basis_id, actor.scope.filter(model.scope_path()))
    )
    if found is None:
        raise PerformanceError("basis_id", _l("No such record in your areas."))
    return kind, basis_id


def month_total(worker_id: int, month_key: str, kind: AdjustmentKind) -> float:
    return float(
        db.session.scalar(
            select(func.coalesce(func.sum(PointAdjustment.points), 0)).where(
                PointAdjustment.worker_id == worker_id,
                PointAdjustment.month == month_key,
                PointAdjustment.kind == kind,
            )
        )
    )


def add_points(
    actor,
    worker,
    *,
    month: str,
    kind,
    points,
    reason: str,
    basis_kind=None,
    basis_id=None,
    today: date,
) -> PointAdjustment:
    """Record a bonus or a deduction for the worker's month, within the set's limit."""
    period = writable_month(month, today)
    try:
        kind = AdjustmentKind(kind)
    except ValueError as exc:
        raise PerformanceError("kind", _l("Choose one of the list.")) from exc
    reason = (reason or "").strip()
    if not reason:
        raise PerformanceError("reason", _l("Every point needs its reason."))
    if len(reason) > MAX_REASON:
        raise PerformanceError("reason", _l("At most 500 characters."))
    if points is None or points <= 0 or round(points, 1) != points:
        raise PerformanceError("points", _l("Points are above 0, in steps of 0.1."))
    applying = set_for(period.start)
    if applying is None:
        raise PerformanceError("month", _l("No indicator set applies to this month yet."))
    limit = applying.bonus_limit if kind is AdjustmentKind.bonus else applying.deduction_limit
    already = month_total(worker.id, period.key, kind)
    if already + points > limit + 1e-9:
        raise PerformanceError(
            "points",
            _l(
                "At most %(limit)s points a month; %(already)s are given already.",
                limit=limit,
                already=already,
            ),
        )
    basis = _check_basis(actor, basis_kind, basis_id)
    adjustment = PointAdjustment(
        worker_id=worker.id,
        month=period.key,
        kind=kind,
        points=points,
        reason=reason,
        basis_kind=basis[0],
        basis_id=basis[1],
        created_by_id=actor.user_id,
    )
    db.session.add(adjustment)
    db.session.flush()
    actor.audit(
        "create", "point_adjustment", adjustment.id, ["worker", "month", "kind", "points", "reason"]
    )
    db.session.commit()
    return adjustment


def adjustments_for(worker_ids, month_keys) -> list[PointAdjustment]:
    """Every bonus and deduction of these workers in these months, oldest first."""
    if not worker_ids or not month_keys:
        return []
    return list(
        db.session.scalars(
            select(PointAdjustment)
            .where(
                PointAdjustment.worker_id.in_(list(worker_ids)),
                PointAdjustment.month.in_(list(month_keys)),
            )
            .order_by(PointAdjustment.month, PointAdjustment.id)
        )
    )


def basis_households(adjustments) -> dict[int, int]:
    """For each adjustment resting on a record, the household that record belongs to (its
    page shows the record), in one query per kind of record."""
    wanted: dict[BasisKind, dict[int, list[int]]] = {}
    for adjustment in adjustments:
        if adjustment.basis_kind in BASIS_MODELS:
            by_record = wanted.setdefault(adjustment.basis_kind, {})
            by_record.setdefault(adjustment.basis_id, []).append(adjustment.id)
    found = {}
    for kind, by_record in wanted.items():
        model = BASIS_MODELS[kind]()
        for record_id, household_id in db.session.execute(
            select(model.id, model.household_id).where(model.id.in_(list(by_record)))
        ):
            for adjustment_id in by_record[record_id]:
                found[adjustment_id] = household_id
    return found
