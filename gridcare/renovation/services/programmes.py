"""Opening a programme for an area and year, and picking its households from the registry."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from gridcare.accounts.models import Role
from gridcare.accounts.services import Actor
from gridcare.areas.models import Area
from gridcare.areas.scope import Scope, under
from gridcare.converters import as_id
from gridcare.extensions import db
from gridcare.registry.models import Household, Resident, ResidentStatus
from gridcare.renovation.models import CaseStep, RenovationCase, RenovationProgramme, Stage
from gridcare.renovation.services.errors import RenovationError, RenovationForbidden
from gridcare.visits.models import canonical_client_uuid

# Severely disabled (重度残疾): the programme's default reach.
DEFAULT_GRADES = (1, 2)
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class CandidateFilter:
    """Which households of the area a programme may take: by default, one with an active
    resident of disability grade 1 or 2."""

    grades: tuple[int, ...] = DEFAULT_GRADES
    categories: tuple[int, ...] = ()
    lives_alone: bool = False
    care_levels: tuple[int, ...] = ()
    text: str = ""


def _check_officer(actor: Actor, field_name: str) -> None:
    if actor.role != Role.officer:
        raise RenovationForbidden(
            field_name, _l("Only a community officer runs renovation programmes.")
        )


def open_programme(
    actor: Actor,
    area: Area,
    *,
    year: int,
    name: str,
    budget: Decimal,
    client_uuid: str | None = None,
) -> RenovationProgramme:
    """Open a programme for an area of the officer's; a form sent twice opens it once."""
    _check_officer(actor, "name")
    uuid = _uuid(client_uuid) if client_uuid else None
    if uuid:
        already = db.session.scalar(
            select(RenovationProgramme).where(RenovationProgramme.client_uuid == uuid)
        )
        if already is not None:
            if already.created_by_id != actor.user_id:
                raise RenovationError("name", _l("This form was already used. Open it again."))
            return already
    if not actor.scope.covers(area.path):
        raise RenovationError("area_id", _l("Choose an area of yours."))
    name = (name or "").strip()
    if not name:
        raise RenovationError("name", _l("Give the programme a name."))
    if year not in YEARS:
        raise RenovationError("year", _l("Give a year between 2000 and 2100."))
    if budget is None or budget < 0:
        raise RenovationError("budget", _l("The budget cannot be negative."))
    programme = RenovationProgramme(
        area_id=area.id,
        year=year,
        name=name,
        budget=budget,
        created_by_id=actor.user_id,
        client_uuid=uuid,
    )
    db.session.add(programme)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return db.session.scalar(
            select(RenovationProgramme).where(RenovationProgramme.client_uuid == uuid)
        )
    actor.audit("create", "renovation_programme", programme.id, ["area_id", "year", "budget"])
    db.session.commit()
    return programme


def _uuid(value: str) -> str:
    try:
        return canonical_client_uuid(value)
    except ValueError as exc:
        raise RenovationError(
            "name", _l("The form arrived incomplete, so nothing was stored. Open it again.")
        ) from exc


def _area_path(programme: RenovationProgramme) -> str:
    return db.session.scalar(select(Area.path).where(Area.id == programme.area_id))


def candidate_households(
    programme: RenovationProgramme, scope, chosen: CandidateFilter, limit: int = 500
) -> list[Household]:
    """Active households under the programme's area, in `scope`, matching the filter, that
    are not in the programme yet; by address."""
    resident = [
        Resident.household_id == Household.id,
        Resident.status == ResidentStatus.active,
    ]
    if chosen.grades:
        resident.append(Resident.disability_grade.in_(chosen.grades))
    if chosen.categories:
        resident.append(Resident.disability_category.in_(chosen.categories))
    if chosen.lives_alone:
        resident.append(Resident.lives_alone.is_(True))
    stmt = (
        select(Household)
        .join(Area, Area.id == Household.grid_id)
        .where(
            Household.active.is_(True),
            under(Area.path, _area_path(programme)),
            scope.filter(Area.path),
            exists().where(*resident),
            ~exists().where(
                RenovationCase.household_id == Household.id,
                RenovationCase.programme_id == programme.id,
            ),
        )
        .order_by(Household.address, Household.building, Household.unit, Household.room)
        .limit(limit)
    )
    if chosen.care_levels:
        stmt = stmt.where(Household.care_level.in_(chosen.care_levels))
    if chosen.text.strip():
        stmt = stmt.where(Household.address.contains(chosen.text.strip(), autoescape=True))
    return list(db.session.scalars(stmt))


def add_cases(actor: Actor, programme: RenovationProgramme, household_ids: Sequence[int]) -> int:
    """Make each chosen household a surveyed case of the programme; one already in it is
    left as it is. Returns how many cases were made."""
    _check_officer(actor, "household_ids")
    if not household_ids:
        raise RenovationError("household_ids", _l("Choose at least one household."))
    wanted = set(household_ids)
    households = db.session.scalars(
        select(Household.id)
        .join(Area, Area.id == Household.grid_id)
        .where(
            Household.id.in_(wanted),
            Household.active.is_(True),
            under(Area.path, _area_path(programme)),
            actor.scope.filter(Area.path),
        )
    ).all()
    if len(households) != len(wanted):
        raise RenovationError(
            "household_ids", _l("Choose active households of the programme's area.")
        )
    present = set(
        db.session.scalars(
            select(RenovationCase.household_id).where(
                RenovationCase.programme_id == programme.id,
                RenovationCase.household_id.in_(wanted),
            )
        )
    )
    cases = [
        RenovationCase(programme_id=programme.id, household_id=h, stage=Stage.surveyed)
        for h in sorted(wanted - present)
    ]
    db.session.add_all(cases)
    db.session.flush()
    for case in cases:
        db.session.add(
            CaseStep(
                case_id=case.id,
                user_id=actor.user_id,
                action="survey",
                from_stage=None,
                to_stage=Stage.surveyed,
            )
        )
        actor.audit("create", "renovation_case", case.id, ["programme_id", "household_id"])
    db.session.commit()
    return len(cases)


def reaches(scope: Scope):
    """A programme's area (as `Area.path`) is in the caller's scope, or above it: a
    district's programme is seen by each community's officer, who sees their own homes in it."""
    above = [under(literal(path), Area.path) for path in scope.paths]
    return or_(scope.filter(Area.path), *above)


def programme_in_reach(programme_id, scope: Scope) -> RenovationProgramme | None:
    """One programme by id, if it reaches the caller's scope (else None: a 404)."""
    ident = as_id(programme_id)
    if ident is None:
        return None
    return db.session.scalar(
        select(RenovationProgramme)
        .join(Area, Area.id == RenovationProgramme.area_id)
        .where(RenovationProgramme.id == ident, reaches(scope))
        .options(joinedload(RenovationProgramme.area))
    )


def programmes_in_scope(scope, year: int | None = None) -> list[RenovationProgramme]:
    """The programmes that reach the caller's areas, newest year first."""
    stmt = (
        select(RenovationProgramme)
        .join(Area, Area.id == RenovationProgramme.area_id)
        .where(reaches(scope))
        .order_by(RenovationProgramme.year.desc(), RenovationProgramme.id.desc())
    )
    if year is not None:
        stmt = stmt.where(RenovationProgramme.year == year)
    return list(db.session.scalars(stmt.options(joinedload(RenovationProgramme.area))))
