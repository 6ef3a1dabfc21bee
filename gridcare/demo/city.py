"""Writing the planned city: areas, accounts, households, residents and their history,
in one transaction, a few grids at a time so that memory stays bounded at city scale.

Identity numbers go in the way the registry stores them: encrypted, plus a keyed hash."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, inspect, select

from gridcare.accounts.models import Role, User
from gridcare.accounts.services import hash_password
from gridcare.areas.models import Area, AreaKind
from gridcare.audit import services as audit
from gridcare.clock import day_start_utc, today
from gridcare.demo.bulk import BulkWriter
from gridcare.demo.history import History, HistoryWriter, Home
from gridcare.demo.names import DISTRICT_CODE
from gridcare.demo.plan import (
    DEMO_PASSWORD,
    CityPlanner,
    PlannedArea,
    PlannedPerson,
    PlannedUser,
    scale_for,
)
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry.care_levels import household_care_level
from gridcare.registry.models import EmergencyContact, Household, Resident
from gridcare.visits.services import checklist_items


class SchemaMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoLoad:
    """What `load_demo` did: counts, or `skipped_because` when it changed nothing."""

    areas: int = 0
    households: int = 0
    residents: int = 0
    users: int = 0
    history: History = field(default_factory=History)
    skipped_because: str = ""


# The tables the city is written to in bulk.
BULK_TABLES = (
    "household",
    "resident",
    "emergency_contact",
    "care_schedule",
    "visit",
    "hazard",
    "follow_up",
)
# Grids planned and written together: about 4,000 residents and 50,000 visits at city scale.
GRIDS_PER_BATCH = 8


def load_demo(
    scale_name: str = "small",
    history_days: int = 365,
    progress: Callable[[int, int], None] | None = None,
) -> DemoLoad:
    """Fill an empty database with the demo city and `history_days` days of its visits,
    in one transaction; never touch a used one. `progress(grids, of)` follows the writing."""
    if not inspect(db.session.connection()).has_table(Area.__tablename__):
        raise SchemaMissing("the database has no tables yet: run `gridcare db upgrade` first")
    existing_areas = db.session.scalar(select(func.count()).select_from(Area))
    if existing_areas:
        return DemoLoad(skipped_because=f"the database already has {existing_areas} areas")
    on = today()
    planner = CityPlanner(scale_for(scale_name, db.session.get_bind().dialect.name), on)
    usernames = [u.username for u in planner.users]
    taken = db.session.scalars(select(User.username).where(User.username.in_(usernames))).all()
    if taken:
        return DemoLoad(skipped_because=f"the database already has the account {taken[0]}")

    areas = _write_areas(planner.areas)
    staff = _write_users(planner.users, areas)
    writer = BulkWriter(db.session)
    history = HistoryWriter(
        writer,
        today=on,
        days=history_days,
        checklist=checklist_items(),
        radius_m=float(current_app.config["GRIDCARE_CHECKIN_RADIUS_M"]),
    )
    # Registered a month before the history starts, so past periods count them.
    registered = day_start_utc(history.start - timedelta(days=30))
    grids = planner.grids
    for first in range(0, len(grids), GRIDS_PER_BATCH):
        batch = grids[first : first + GRIDS_PER_BATCH]
        homes = _write_households(writer, planner, batch, areas, staff, registered)
        for home in homes:
            history.add(home)
        history.flush()
        if progress:
            progress(len(batch), len(grids))
    writer.finish()
    audit.record(
        "demo_load",
        "area",
        areas[DISTRICT_CODE].id,
        user_id=None,
        client_addr="system",
        fields=["areas", "households", "residents", "users"],
    )
    db.session.commit()
    return DemoLoad(
        areas=len(areas),
        households=writer.counts.get(Household.__tablename__, 0),
        residents=writer.counts.get(Resident.__tablename__, 0),
        users=len(planner.users),
        history=history.counts,
    )


def _write_areas(planned: list[PlannedArea]) -> dict[str, Area]:
    by_code: dict[str, Area] = {}
    for kind in AreaKind:  # parents first, so each level can take its parents' paths
        level = []
        for p in planned:
            if p.kind == kind:
                parent = by_code[p.parent_code] if p.parent_code else None
                area = Area(kind=p.kind, name=p.name, code=p.code, parent=parent)
                by_code[p.code] = area
                level.append(area)
        db.session.add_all(level)
        db.session.flush()
        for area in level:
            area.path = f"{area.parent.path if area.parent else '/'}{area.id}/"
    db.session.flush()
    return by_code


def _write_users(planned: list[PlannedUser], areas: dict[str, Area]) -> dict[str, int]:
    """The accounts; returns the user id looking after each grid and community, by code."""
    # One hash for the one shared demo password: hashing is deliberately slow.
    password_hash = hash_password(DEMO_PASSWORD)
    users = [
        (
            u,
            User(
                username=u.username,
                password_hash=password_hash,
                role=u.role,
                full_name=u.full_name,
                phone=u.phone,
                areas=[areas[u.area_code]] if u.area_code else [],
            ),
        )
        for u in planned
    ]
    db.session.add_all(user for _, user in users)
    db.session.flush()
    return {
        u.area_code: user.id
        for u, user in users
        if u.role in (Role.grid_worker, Role.officer) and u.area_code
    }


def _write_households(
    writer: BulkWriter,
    planner: CityPlanner,
    grids: list[PlannedArea],
    areas: dict[str, Area],
    staff: dict[str, int],
    registered: datetime,
) -> list[Home]:
    """Plan and write the grids' households, residents and contacts; the homes written."""
    secrets = vault()
    households, residents, contacts, homes = [], [], [], []
    for grid in grids:
        worker_id = staff.get(grid.code)
        officer_id = staff.get(grid.parent_code)
        for h in planner.plan_grid(grid):
            household_id = writer.next_id(Household.__table__)
            level = household_care_level([_facts(p) for p in h.residents], h.override, planner.on)
            households.append(
                {
                    "id": household_id,
                    "grid_id": areas[h.grid_code].id,
                    "address": h.address,
                    "building": h.building,
                    "unit": h.unit,
                    "room": h.room,
                    "lat": h.lat,
                    "lon": h.lon,
                    "care_level": level,
                    "care_level_override": h.override,
                    "care_level_override_reason": h.override_reason,
                    "active": True,
                    "created_at": registered,
                    "updated_at": registered,
                }
            )
            homes.append(Home(household_id, h.lat, h.lon, level, worker_id, officer_id))
            for p in h.residents:
                resident_id = writer.next_id(Resident.__table__)
                residents.append(_resident_row(secrets, p, resident_id, household_id, registered))
                contacts.extend(
                    {"resident_id": resident_id, "name": name, "relation": relation, "phone": phone}
                    for name, relation, phone in p.contacts
                )
    writer.write(Household.__table__, households)
    writer.write(Resident.__table__, residents)
    writer.write(EmergencyContact.__table__, contacts)
    return homes


def _facts(p: PlannedPerson) -> SimpleNamespace:
    """What the care rules read of a resident, without building one."""
    return SimpleNamespace(
        birth_date=p.birth_date,
        status=p.status,
        lives_alone=p.lives_alone,
        empty_nest=p.empty_nest,
        disability_category=p.disability[0] if p.disability else None,
        disability_grade=p.disability[1] if p.disability else None,
    )


def _resident_row(
    secrets, p: PlannedPerson, resident_id: int, household_id: int, registered: datetime
) -> dict:
    return {
        "id": resident_id,
        "household_id": household_id,
        "name": p.name,
        "gender": p.gender,
        "birth_date": p.birth_date,
        "id_number_encrypted": secrets.encrypt(p.id_number),
        "id_number_hash": secrets.keyed_hash(p.id_number),
        "phone": p.phone,
        "lives_alone": p.lives_alone,
        "empty_nest": p.empty_nest,
        "disability_category": p.disability[0] if p.disability else None,
        "disability_grade": p.disability[1] if p.disability else None,
        "disability_certificate_encrypted": (
            secrets.encrypt(p.certificate) if p.certificate else None
        ),
        "health_notes": p.health_notes,
        "status": p.status,
        "status_date": p.status_date,
        "created_at": registered,
        "updated_at": registered,
    }
