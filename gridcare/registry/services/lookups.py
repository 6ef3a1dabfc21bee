"""Reading the registry: the household list and its search, the residents of a household,
and the audited lookup by ID number."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, false, select, union
from sqlalchemy.orm import contains_eager, joinedload, load_only, selectinload

from gridcare.accounts.services import Actor
from gridcare.areas.models import Area
from gridcare.areas.scope import Scope, under
from gridcare.clock import age_on
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry.care_levels import resident_care_level
from gridcare.registry.flags import household_has
from gridcare.registry.models import EmergencyContact, Household, Resident, ResidentStatus

# Digits typed into the search box are matched against phones from this length on, so
# a house number such as "12" does not pull in every phone that contains it.
MIN_PHONE_SEARCH = 4


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    page_size: int
    has_next: bool


@dataclass(frozen=True)
class ResidentCard:
    """One resident as a household page shows them: age, care level and masked ID."""

    resident: Resident
    age: int
    care_level: int | None
    masked_id: str


# What a list's line of residents shows of each: name, age and flags.
RESIDENT_LINE = (
    Resident.id,
    Resident.household_id,
    Resident.name,
    Resident.birth_date,
    Resident.status,
    Resident.lives_alone,
    Resident.empty_nest,
    Resident.disability_category,
    Resident.disability_grade,
)


def active_residents_of(household_ids: set[int]) -> dict[int, list[Resident]]:
    """The active residents of these households, by household, in one query: for a list
    that shows only some of the households it read."""
    by_household: dict[int, list[Resident]] = {}
    if not household_ids:
        return by_household
    for resident in db.session.scalars(
        select(Resident)
        .options(load_only(*RESIDENT_LINE))
        .where(
            Resident.household_id.in_(household_ids),
            Resident.status == ResidentStatus.active,
        )
        .order_by(Resident.id)
    ):
        by_household.setdefault(resident.household_id, []).append(resident)
    return by_household


# What a page that shows or changes one household loads with it: its grid (scope checks,
# the heading) and its residents (care level, the resident lines), nothing by default.
HOUSEHOLD_WITH_RESIDENTS = (joinedload(Household.grid), selectinload(Household.residents))
# The household page also names the grid's community and lists each resident's contacts.
HOUSEHOLD_RECORD = (
    joinedload(Household.grid).joinedload(Area.parent),
    selectinload(Household.residents).selectinload(Resident.contacts),
)
# A resident's forms: the household (scope, care level) and the contacts they edit.
RESIDENT_RECORD = (
    joinedload(Resident.household).options(*HOUSEHOLD_WITH_RESIDENTS),
    selectinload(Resident.contacts),
)


def _search(q: str) -> ColumnElement[bool]:
    if id_numbers.looks_like_id_number(q):
        # Finding a person by ID number is an audited lookup (find_by_id_number), never
        # a list filter: the search form refuses it with a message pointing there.
        return false()
    # Each way of matching is its own SELECT of household ids, so that each can use its
    # index (ix_household_address_search, ix_resident_name_search: trigrams on
    # PostgreSQL); an OR across an EXISTS would test every household of the city.
    matches = [
        select(Household.id).where(Household.address.icontains(q, autoescape=True)),
        select(Resident.household_id).where(Resident.name.icontains(q, autoescape=True)),
    ]
    if q.isdigit() and len(q) >= MIN_PHONE_SEARCH:
        matches += [
            select(Resident.household_id).where(Resident.phone.contains(q, autoescape=True)),
            select(Resident.household_id)
            .join(EmergencyContact, EmergencyContact.resident_id == Resident.id)
            .where(EmergencyContact.phone.contains(q, autoescape=True)),
        ]
    return Household.id.in_(union(*matches))


def list_households(
    scope: Scope,
    *,
    area_id: int | None = None,
    care_level: int | None = None,
    flag: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> Page:
    """One page of the households in scope, filtered, by address.

    Two queries whatever the page size: households with their grid, then their residents.
    Contacts are not loaded, and raise if a list template reaches for them.
    """
    page = max(page, 1)
    stmt = households_query(
        scope,
        area_id=area_id,
        care_level=care_level,
        flag=flag,
        q=q,
        include_inactive=include_inactive,
    ).options(
        contains_eager(Household.grid),
        selectinload(Household.residents),
    )
    rows = list(db.session.scalars(stmt.limit(page_size + 1).offset((page - 1) * page_size)))
    return Page(rows[:page_size], page, page_size, len(rows) > page_size)


def households_query(
    scope: Scope,
    *,
    area_id: int | None = None,
    care_level: int | None = None,
    flag: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> Select:
    """The households in scope that match the list's filters, by address, joined to the grid
    (`Area`); the list and the export add their own loading options."""
    stmt = select(Household).join(Area, Area.id == Household.grid_id).where(scope.filter(Area.path))
    if area_id is not None:
        area_path = select(Area.path).where(Area.id == area_id).scalar_subquery()
        stmt = stmt.where(under(Area.path, area_path))
    if care_level is not None:
        stmt = stmt.where(Household.care_level == care_level)
    if flag is not None:
        stmt = stmt.where(household_has(flag))  # an unknown flag raises ValueError
    if q and q.strip():
        stmt = stmt.where(_search(q.strip()))
    if not include_inactive:
        stmt = stmt.where(Household.active.is_(True))
    return stmt.order_by(
        Household.address, Household.building, Household.unit, Household.room, Household.id
    )


def household_residents(household: Household, on: date) -> list[ResidentCard]:
    """The household's residents, current ones first, each with age, level and masked ID."""
    residents = sorted(household.residents, key=lambda r: (r.status != ResidentStatus.active, r.id))
    return [
        ResidentCard(
            resident=r,
            # The dead stay the age they reached.
            age=age_on(r.birth_date, _age_date(r, on)),
            care_level=resident_care_level(r, on),
            masked_id=id_numbers.mask(vault().decrypt(r.id_number_encrypted)),
        )
        for r in residents
    ]


def _age_date(resident: Resident, on: date) -> date:
    if resident.status == ResidentStatus.deceased and resident.status_date:
        return resident.status_date
    return on


def find_by_id_number(actor: Actor, number: str) -> Resident | None:
    """The resident in the caller's areas with this ID number; every lookup is audited."""
    resident = resident_by_id_number(actor.scope, number)
    actor.audit("lookup_id_number", "resident", resident.id if resident else None, ["id_number"])
    db.session.commit()
    return resident


def resident_by_id_number(scope: Scope, number: str) -> Resident | None:
    """The resident in scope with this ID number, found through its keyed hash."""
    stmt = select(Resident).where(
        Resident.id_number_hash == vault().keyed_hash(id_numbers.normalise(number)),
        scope.filter(Resident.scope_path()),
    )
    return db.session.scalar(stmt)
