"""The plan: everything the demo city holds, decided before anything is written.

The city is drawn from a seeded `random.Random`, so it is the same every time it is
planned on a given day (ages are counted back from today, so they stay plausible)."""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from gridcare.accounts.models import Role
from gridcare.areas.models import AreaKind
from gridcare.clock import years_before
from gridcare.demo.names import (
    CITY_CENTRE,
    COMPOUND_PREFIXES,
    COMPOUND_SUFFIXES,
    DISTRICT_CODE,
    DISTRICT_NAME,
    ELDERLY_DISABILITIES,
    GRADES,
    HEALTH_NOTES,
    HOUSEHOLD_SHAPES,
    OLD_GIVEN_NAMES,
    OVERRIDE_REASONS,
    PHONE_PREFIXES,
    REGIONS,
    ROADS,
    STREETS,
    SURNAMES,
    YOUNG_DISABILITIES,
    YOUNG_GIVEN_NAMES,
)
from gridcare.registry import id_numbers
from gridcare.registry.models import (
    Gender,
    ResidentStatus,
)

DEMO_PASSWORD = "gridcare-demo-2026"
SEED = 620202


@dataclass(frozen=True)
class Scale:
    streets: int
    communities_per_street: int
    grids_per_community: int
    households_per_grid: int

    @property
    def grids(self) -> int:
        return self.streets * self.communities_per_street * self.grids_per_community

    @property
    def households(self) -> int:
        return self.grids * self.households_per_grid


SCALES = {
    "small": Scale(
        streets=2, communities_per_street=2, grids_per_community=3, households_per_grid=50
    ),
    # Ten times the small one: a district, the most the embedded SQLite is meant for.
    "district": Scale(
        streets=5, communities_per_street=4, grids_per_community=6, households_per_grid=50
    ),
    # A whole city: 480 grids of 250 households, about 234,000 residents (PostgreSQL).
    "city": Scale(
        streets=10, communities_per_street=6, grids_per_community=8, households_per_grid=250
    ),
}


def scale_for(name: str, dialect: str) -> Scale:
    """The scale a name means on a database: a city runs on PostgreSQL, so on SQLite
    `city` stays the district the embedded database is meant for."""
    if name == "city" and dialect != "postgresql":
        return SCALES["district"]
    return SCALES[name]


@dataclass
class PlannedArea:
    kind: AreaKind
    name: str
    code: str
    parent_code: str | None
    centre: tuple[float, float]


@dataclass
class PlannedPerson:
    name: str
    gender: Gender
    birth_date: date
    id_number: str
    phone: str = ""
    lives_alone: bool = False
    empty_nest: bool = False
    disability: tuple[int, int] | None = None  # (category, grade)
    health_notes: str = ""
    status: ResidentStatus = ResidentStatus.active
    status_date: date | None = None
    contacts: list[tuple[str, str, str]] = field(default_factory=list)  # name, relation, phone

    @property
    def certificate(self) -> str | None:
        if self.disability is None:
            return None
        category, grade = self.disability
        return id_numbers.certificate_number(self.id_number, category, grade)


@dataclass
class PlannedHousehold:
    grid_code: str
    address: str
    building: str
    unit: str
    room: str
    lat: float
    lon: float
    residents: list[PlannedPerson]
    override: int | None = None
    override_reason: str = ""


@dataclass
class PlannedUser:
    username: str
    role: Role
    full_name: str
    phone: str
    area_code: str | None


@dataclass
class CityPlan:
    areas: list[PlannedArea]
    households: list[PlannedHousehold]
    users: list[PlannedUser]


def plan_city(scale: Scale, on: date, seed: int = SEED) -> CityPlan:
    """Decide the whole demo city for the day `on`; the same inputs give the same city."""
    planner = CityPlanner(scale, on, seed)
    households = [h for grid in planner.grids for h in planner.plan_grid(grid)]
    return CityPlan(areas=planner.areas, households=households, users=planner.users)


class CityPlanner:
    """Areas and staff at once; households grid by grid, in order, so that a big city
    can be written as it is planned instead of being held whole in memory."""

    def __init__(self, scale: Scale, on: date, seed: int = SEED):
        self.scale = scale
        self.on = on
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.used_compounds: set[str] = set()
        self._surnames, self._surname_weights = zip(*SURNAMES, strict=True)
        self._regions, self._region_weights = zip(*REGIONS, strict=True)
        self.areas = self.plan_areas()
        self.users = self.plan_users(self.areas)
        self.grids = [a for a in self.areas if a.kind == AreaKind.grid]

    # -- areas and staff ----------------------------------------------------------------

    def plan_areas(self) -> list[PlannedArea]:
        district = PlannedArea(AreaKind.district, DISTRICT_NAME, DISTRICT_CODE, None, CITY_CENTRE)
        areas = [district]
        communities_total = self.scale.streets * self.scale.communities_per_street
        columns = math.ceil(math.sqrt(communities_total))
        community_index = 0
        for s in range(self.scale.streets):
            street_name, community_names = STREETS[s % len(STREETS)]
            street = PlannedArea(
                AreaKind.street,
                street_name if s < len(STREETS) else f"{street_name}{s // len(STREETS) + 1}",
                f"{DISTRICT_CODE}{s + 1:03d}",
                district.code,
                district.centre,
            )
            areas.append(street)
            for c in range(self.scale.communities_per_street):
                name = community_names[c % len(community_names)]
                if c >= len(community_names) or s >= len(STREETS):
                    name = f"{name[:-2]}{c + 1}社区"
                # Communities sit on a rough grid about 1.2 km apart around the centre.
                row, col = divmod(community_index, columns)
                centre = _offset(
                    CITY_CENTRE,
                    north_m=(row - (columns - 1) / 2) * 1200 + self.rng.uniform(-150, 150),
                    east_m=(col - (columns - 1) / 2) * 1200 + self.rng.uniform(-150, 150),
                )
                community = PlannedArea(
                    AreaKind.community, name, f"{street.code}{c + 1:03d}", street.code, centre
                )
                areas.append(community)
                community_index += 1
                for g in range(self.scale.grids_per_community):
                    angle = 2 * math.pi * g / self.scale.grids_per_community
                    areas.append(
                        PlannedArea(
                            AreaKind.grid,
                            f"{name[:-2]}{g + 1}网格",
                            f"{community.code}{g + 1:03d}",
                            community.code,
                            _offset(centre, 380 * math.sin(angle), 380 * math.cos(angle)),
                        )
                    )
        return areas

    def plan_users(self, areas: list[PlannedArea]) -> list[PlannedUser]:
        users = []
        for kind, prefix, role in (
            (AreaKind.grid, "worker", Role.grid_worker),
            (AreaKind.community, "officer", Role.officer),
            (AreaKind.district, "civil", Role.civil_affairs),
        ):
            of_kind = [a for a in areas if a.kind == kind]
            for n, area in enumerate(of_kind, start=1):
                gender = self.rng.choice(list(Gender))
                name = self.surname() + self.rng.choice(YOUNG_GIVEN_NAMES[gender])
                users.append(PlannedUser(f"{prefix}{n}", role, name, self.phone(), area.code))
        users.append(PlannedUser("admin", Role.admin, "系统管理员", self.phone(), None))
        return users

    # -- households ---------------------------------------------------------------------

    def plan_grid(self, grid: PlannedArea) -> list[PlannedHousehold]:
        """The grid's households; call once per grid, in the order of `grids`."""
        doors = self.doors(grid)
        households = []
        for address, building, unit, room, (lat, lon) in doors:
            residents = self.residents()
            households.append(
                PlannedHousehold(grid.code, address, building, unit, room, lat, lon, residents)
            )
        # An officer flags a few households as high risk for reasons the rules cannot see.
        for household in households:
            if self.rng.random() < 0.025:
                household.override = 1
                household.override_reason = self.rng.choice(OVERRIDE_REASONS)
        return households

    def doors(self, grid: PlannedArea):
        """The grid's homes: flats in one or two compounds, sometimes a lane of bungalows."""
        wanted = self.scale.households_per_grid
        road_index = self.rng.randrange(len(ROADS))
        sites = []
        # Two sites for a small grid; a big one has a compound for every 60 homes or so.
        site_count = max(2, math.ceil(wanted / 60))
        for n in range(site_count):
            road = ROADS[(road_index + n) % len(ROADS)]
            centre = _offset(grid.centre, self.rng.uniform(-140, 140), self.rng.uniform(-140, 140))
            bungalows = n == 1 and self.rng.random() < 0.3
            sites.append((road, centre, bungalows))
        homes = []
        per_site = math.ceil(wanted / site_count)
        for road, centre, bungalows in sites:
            count = min(per_site, wanted - len(homes))
            if bungalows:
                homes.extend(self.bungalow_lane(road, centre, count))
            else:
                homes.extend(self.compound(road, centre, count))
        return homes

    def compound(self, road: str, centre, count: int):
        name = self.compound_name()
        address = f"{road}{self.rng.randrange(1, 300)}号{name}"
        buildings = self.rng.randint(6, 12)
        units = self.rng.randint(2, 4)
        floors = self.rng.choice((5, 6, 6, 7))
        flats = [
            (b, u, f, d)
            for b in range(1, buildings + 1)
            for u in range(1, units + 1)
            for f in range(1, floors + 1)
            for d in (1, 2)
        ]
        homes = []
        for b, u, f, d in sorted(self.rng.sample(flats, count)):
            row, col = divmod(b - 1, 4)
            # Blocks stand in rows about 40 m apart; a phone's fix scatters a few metres.
            spot = _offset(
                centre,
                north_m=(row - 1) * 40 + self.rng.uniform(-4, 4),
                east_m=(col - 1.5) * 45 + (u - 2) * 12 + self.rng.uniform(-4, 4),
            )
            homes.append((address, str(b), str(u), f"{f}{d:02d}", spot))
        return homes

    def bungalow_lane(self, road: str, centre, count: int):
        name = f"{road}{self.rng.randrange(1, 400)}号院"
        while name in self.used_compounds:
            name = f"{road}{self.rng.randrange(1, 400)}号院"
        self.used_compounds.add(name)
        homes = []
        for i in range(count):
            lane, number = divmod(i, 12)
            spot = _offset(
                centre,
                north_m=lane * 25 + self.rng.uniform(-3, 3),
                east_m=number * 14 + self.rng.uniform(-3, 3),
            )
            homes.append((f"{name}{lane + 1}排{number + 1}号", "", "", "", spot))
        return homes

    def compound_name(self) -> str:
        for _ in range(30):
            name = self.rng.choice(COMPOUND_PREFIXES) + self.rng.choice(COMPOUND_SUFFIXES)
            if name not in self.used_compounds:
                break
        else:
            # Names run out in a big city: an estate's later phases (2期, 3期 …) take new ones.
            base, phase = name, 2
            while (name := f"{base}{phase}期") in self.used_compounds:
                phase += 1
        self.used_compounds.add(name)
        return name

    def residents(self) -> list[PlannedPerson]:
        shape = self.rng.choices(*zip(*HOUSEHOLD_SHAPES, strict=True))[0]
        return getattr(self, f"shape_{shape}")()

    def shape_alone(self) -> list[PlannedPerson]:
        gender = Gender.female if self.rng.random() < 0.65 else Gender.male
        person = self.elderly(gender, age=self.elderly_age(mode=76))
        person.lives_alone = True
        self.add_children_as_contacts(person, self.surname())
        return [person]

    def shape_empty_nest(self) -> list[PlannedPerson]:
        husband, wife = self.couple()
        husband.empty_nest = wife.empty_nest = True
        self.add_children_as_contacts(husband, husband.name[0])
        return [husband, wife]

    def shape_widowed(self) -> list[PlannedPerson]:
        husband, wife = self.couple()
        died, survivor = (husband, wife) if self.rng.random() < 0.7 else (wife, husband)
        died.status = ResidentStatus.deceased
        died.status_date = self.on - timedelta(days=self.rng.randint(20, 900))
        died.phone = ""
        survivor.lives_alone = True
        self.add_children_as_contacts(survivor, husband.name[0])
        return [husband, wife]

    def shape_with_children(self) -> list[PlannedPerson]:
        if self.rng.random() < 0.55:
            parents = list(self.couple())
        else:
            gender = Gender.female if self.rng.random() < 0.6 else Gender.male
            parents = [self.elderly(gender, age=self.elderly_age(mode=72))]
        eldest = max(self.on.year - p.birth_date.year for p in parents)
        family = next(p for p in parents if p.gender == Gender.male) if len(parents) == 2 else None
        surname = family.name[0] if family else self.surname()
        child_age = max(25, eldest - self.rng.randint(24, 34))
        child = self.young(self.rng.choice(list(Gender)), child_age, surname)
        return [*parents, child]

    def shape_young_disabled(self) -> list[PlannedPerson]:
        age = int(self.rng.triangular(8, 56, 30))
        gender = self.rng.choice(list(Gender))
        surname = self.surname()
        person = self.young(gender, age, surname)
        person.disability = self.disability(YOUNG_DISABILITIES)
        if age >= 30 and self.rng.random() < 0.2:
            person.lives_alone = True
            self.add_children_as_contacts(person, surname, relations=("哥哥", "姐姐", "表哥"))
            return [person]
        mother_age = age + self.rng.randint(22, 32)
        people = [person, self.parent(Gender.female, mother_age)]
        if self.rng.random() < 0.6 and mother_age + 4 <= 95:
            people.append(self.parent(Gender.male, mother_age + self.rng.randint(0, 4), surname))
        return people

    # -- people -------------------------------------------------------------------------

    def couple(self) -> tuple[PlannedPerson, PlannedPerson]:
        husband_age = self.elderly_age(mode=70)
        wife_age = max(56, husband_age - self.rng.randint(0, 6))
        return self.elderly(Gender.male, husband_age), self.elderly(Gender.female, wife_age)

    def elderly(self, gender: Gender, age: int, surname: str | None = None) -> PlannedPerson:
        person = self.person(gender, self.birth_date(age), old=True, surname=surname)
        if self.rng.random() < 0.12:
            person.disability = self.disability(ELDERLY_DISABILITIES)
        if self.rng.random() < 0.35:
            notes = self.rng.sample(HEALTH_NOTES, self.rng.choice((1, 1, 2)))
            person.health_notes = "；".join(notes)
        if self.rng.random() < 0.3:
            person.phone = ""  # many of the very old have no mobile of their own
        return person

    def parent(self, gender: Gender, age: int, surname: str | None = None) -> PlannedPerson:
        """A younger disabled person's parent: elderly or not, by age."""
        if age >= 60:
            return self.elderly(gender, age, surname)
        return self.person(gender, self.birth_date(age), old=age >= 56, surname=surname)

    def young(self, gender: Gender, age: int, surname: str) -> PlannedPerson:
        person = self.person(gender, self.birth_date(age), old=False, surname=surname)
        if age < 16:
            person.phone = ""
        return person

    def person(
        self, gender: Gender, birth_date: date, old: bool, surname: str | None = None
    ) -> PlannedPerson:
        names = OLD_GIVEN_NAMES if old else YOUNG_GIVEN_NAMES
        return PlannedPerson(
            name=(surname or self.surname()) + self.rng.choice(names[gender]),
            gender=gender,
            birth_date=birth_date,
            id_number=self.id_number(birth_date, gender),
            phone=self.phone(),
        )

    def add_children_as_contacts(
        self, person: PlannedPerson, surname: str, relations=("儿子", "女儿")
    ) -> None:
        roll = self.rng.random()
        if roll < 0.08:
            return  # nobody to call: exactly the people a grid worker worries about
        if roll < 0.16:
            relation = self.rng.choice(("侄子", "外甥女", "邻居"))
            gender = Gender.female if relation == "外甥女" else self.rng.choice(list(Gender))
            name = self.surname() + self.rng.choice(YOUNG_GIVEN_NAMES[gender])
            person.contacts.append((name, relation, self.phone()))
            return
        for _ in range(self.rng.choice((1, 1, 2))):
            relation = self.rng.choice(relations)
            gender = Gender.female if relation in ("女儿", "姐姐") else Gender.male
            name = surname + self.rng.choice(YOUNG_GIVEN_NAMES[gender])
            person.contacts.append((name, relation, self.phone()))

    def disability(self, weights) -> tuple[int, int]:
        category = self.rng.choices(*zip(*weights, strict=True))[0]
        grade = self.rng.choices(*zip(*GRADES, strict=True))[0]
        return category, grade

    def elderly_age(self, mode: int) -> int:
        return min(95, int(self.rng.triangular(60, 96, mode)))

    def birth_date(self, age: int) -> date:
        """A birthday that makes someone exactly `age` years old on the planning day."""
        last_birthday = years_before(self.on, age)
        return last_birthday - timedelta(days=self.rng.randrange(365))

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._surname_weights)[0]

    def id_number(self, birth_date: date, gender: Gender) -> str:
        region = self.rng.choices(self._regions, self._region_weights)[0]
        while True:
            # The 17th digit is odd for men and even for women.
            sequence = self.rng.randrange(1, 500) * 2 + (1 if gender == Gender.male else 0)
            number = id_numbers.make(region, birth_date, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


def _offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    lat, lon = point
    metres_per_degree = 111_320.0
    return (
        round(lat + north_m / metres_per_degree, 6),
        round(lon + east_m / (metres_per_degree * math.cos(math.radians(lat))), 6),
    )
