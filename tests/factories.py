"""Factories that build valid records directly, fast, with sensible defaults."""

import itertools
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from gridcare.accounts.models import Role, User
from gridcare.areas.models import Area, AreaKind
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry.care_levels import household_care_level
from gridcare.registry.models import EmergencyContact, Household, Resident, ResidentStatus

_counter = itertools.count(1)


class Factory:
    def __init__(self, password: str):
        self.password = password
        self._password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")

    def area(self, kind: AreaKind | str, parent: Area | None = None, name=None, code=None) -> Area:
        n = next(_counter)
        kind = AreaKind(kind)
        area = Area(
            kind=kind,
            name=name or f"{kind.value} {n}",
            code=code or f"{kind.value[:2].upper()}{n}",
            parent=parent,
        )
        db.session.add(area)
        db.session.flush()
        area.path = f"{parent.path if parent else '/'}{area.id}/"
        db.session.commit()
        return area

    def tree(self) -> dict[str, Area]:
        """A district with two streets, each with one community of two grids."""
        district = self.area("district", name="雄关区")
        s1 = self.area("street", district, name="新华路街道")
        s2 = self.area("street", district, name="五一路街道")
        c1 = self.area("community", s1, name="明珠社区")
        c2 = self.area("community", s2, name="朝阳社区")
        return {
            "district": district,
            "street1": s1,
            "street2": s2,
            "community1": c1,
            "community2": c2,
            "grid1": self.area("grid", c1, name="明珠1网格"),
            "grid2": self.area("grid", c1, name="明珠2网格"),
            "grid3": self.area("grid", c2, name="朝阳1网格"),
            "grid4": self.area("grid", c2, name="朝阳2网格"),
        }

    def user(self, role: Role | str = Role.officer, areas=(), username=None, **fields) -> User:
        n = next(_counter)
        user = User(
            username=username or f"{Role(role).value}{n}",
            password_hash=self._password_hash,
            role=Role(role),
            areas=list(areas),
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    def household(self, grid: Area, address=None, **fields) -> Household:
        n = next(_counter)
        household = Household(grid=grid, address=address or f"新华路{n}号", **fields)
        db.session.add(household)
        db.session.commit()
        return household

    def id_number(self, birth_date: date = date(1940, 5, 1), male: bool = True) -> str:
        seq = next(_counter) % 500 * 2 + (1 if male else 0)
        return id_numbers.make("620201", birth_date, seq)

    def resident(
        self,
        household: Household,
        name: str = "张秀英",
        birth_date: date = date(1940, 5, 1),
        male: bool = False,
        id_number: str | None = None,
        contacts=(),
        **fields,
    ) -> Resident:
        number = id_numbers.parse(id_number or self.id_number(birth_date, male))
        resident = Resident(
            household=household,
            name=name,
            gender=number.gender,
            birth_date=number.birth_date,
            id_number_encrypted=vault().encrypt(number.value),
            id_number_hash=vault().keyed_hash(number.value),
            status=fields.pop("status", ResidentStatus.active),
            **fields,
        )
        for contact_name, relation, phone in contacts:
            resident.contacts.append(
                EmergencyContact(name=contact_name, relation=relation, phone=phone)
            )
        db.session.add(resident)
        db.session.flush()
        residents = db.session.scalars(
            select(Resident).where(Resident.household_id == household.id)
        ).all()
        household.care_level = household_care_level(
            residents, household.care_level_override, today()
        )
        db.session.commit()
        return resident


def loaded(record, *relationships: str):
    """`record` with these relationships loaded, as a query that needs them would load them:
    the models load nothing on access, and a factory's commit expires what was loaded."""
    model = type(record)
    db.session.scalars(
        select(model)
        .where(model.id == record.id)
        .options(*(selectinload(getattr(model, name)) for name in relationships))
        .execution_options(populate_existing=True)
    ).all()
    return record
