"""Writing the planned city: areas, accounts, households and residents, in one transaction.

Identity numbers go in the way the registry stores them: encrypted, plus a keyed hash."""

from dataclasses import dataclass

from sqlalchemy import func, insert, inspect, select

from gridcare.accounts.models import User
from gridcare.accounts.services import hash_password
from gridcare.areas.models import Area, AreaKind
from gridcare.audit import services as audit
from gridcare.clock import today
from gridcare.demo.names import DISTRICT_CODE
from gridcare.demo.plan import (
    DEMO_PASSWORD,
    SCALES,
    PlannedArea,
    PlannedHousehold,
    PlannedUser,
    plan_city,
)
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry.care_levels import household_care_level
from gridcare.registry.models import (
    EmergencyContact,
    Household,
    Resident,
)


class SchemaMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoLoad:
    """What `load_demo` did: counts, or `skipped_because` when it changed nothing."""

    areas: int = 0
    households: int = 0
    residents: int = 0
    users: int = 0
    skipped_because: str = ""


def load_demo(scale_name: str = "small") -> DemoLoad:
    """Fill an empty database with the demo city in one transaction; never touch a used one."""
    if not inspect(db.session.connection()).has_table(Area.__tablename__):
        raise SchemaMissing("the database has no tables yet: run `gridcare db upgrade` first")
    existing_areas = db.session.scalar(select(func.count()).select_from(Area))
    if existing_areas:
        return DemoLoad(skipped_because=f"the database already has {existing_areas} areas")
    plan = plan_city(SCALES[scale_name], today())
    usernames = [u.username for u in plan.users]
    taken = db.session.scalars(select(User.username).where(User.username.in_(usernames))).all()
    if taken:
        return DemoLoad(skipped_because=f"the database already has the account {taken[0]}")

    areas = _write_areas(plan.areas)
    users = _write_users(plan.users, areas)
    residents = _write_households(plan.households, areas)
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
        areas=len(areas), households=len(plan.households), residents=residents, users=users
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


def _write_users(planned: list[PlannedUser], areas: dict[str, Area]) -> int:
    # One hash for the one shared demo password: hashing is deliberately slow.
    password_hash = hash_password(DEMO_PASSWORD)
    db.session.add_all(
        User(
            username=u.username,
            password_hash=password_hash,
            role=u.role,
            full_name=u.full_name,
            phone=u.phone,
            areas=[areas[u.area_code]] if u.area_code else [],
        )
        for u in planned
    )
    db.session.flush()
    return len(planned)


def _write_households(planned: list[PlannedHousehold], areas: dict[str, Area]) -> int:
    """Bulk-insert households, then residents, then contacts; returns the resident count."""
    secrets = vault()
    on = today()
    household_rows = []
    for h in planned:
        transient = [
            Resident(
                birth_date=p.birth_date,
                status=p.status,
                lives_alone=p.lives_alone,
                empty_nest=p.empty_nest,
                disability_category=p.disability[0] if p.disability else None,
                disability_grade=p.disability[1] if p.disability else None,
            )
            for p in h.residents
        ]
        household_rows.append(
            {
                "grid_id": areas[h.grid_code].id,
                "address": h.address,
                "building": h.building,
                "unit": h.unit,
                "room": h.room,
                "lat": h.lat,
                "lon": h.lon,
                "care_level": household_care_level(transient, h.override, on),
                "care_level_override": h.override,
                "care_level_override_reason": h.override_reason,
            }
        )
    household_ids = db.session.scalars(
        insert(Household).returning(Household.id, sort_by_parameter_order=True), household_rows
    ).all()

    people = [(hid, p) for hid, h in zip(household_ids, planned, strict=True) for p in h.residents]
    resident_rows = [
        {
            "household_id": hid,
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
        }
        for hid, p in people
    ]
    resident_ids = db.session.scalars(
        insert(Resident).returning(Resident.id, sort_by_parameter_order=True), resident_rows
    ).all()

    contact_rows = [
        {"resident_id": rid, "name": name, "relation": relation, "phone": phone}
        for rid, (_, p) in zip(resident_ids, people, strict=True)
        for name, relation, phone in p.contacts
    ]
    if contact_rows:
        db.session.execute(insert(EmergencyContact), contact_rows)
    return len(resident_rows)
