import math
import re
from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select, text

from gridcare.accounts.models import Role, User
from gridcare.areas.models import Area, AreaKind
from gridcare.clock import today
from gridcare.demo import DEMO_PASSWORD, SCALES, plan_city
from gridcare.extensions import db
from gridcare.privacy import vault
from gridcare.registry import id_numbers
from gridcare.registry.care_levels import household_care_level
from gridcare.registry.models import EmergencyContact, Household, Resident, ResidentStatus
from tests.factories import loaded

PHONE = re.compile(r"^1[3-9]\d{9}$")


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "load", "--scale", "small", "--history-days", "0"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    return result


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_city_has_the_area_tree_staff_and_about_600_households(demo):
    kinds = dict(db.session.execute(select(Area.kind, func.count()).group_by(Area.kind)).all())
    assert kinds == {
        AreaKind.district: 1,
        AreaKind.street: 2,
        AreaKind.community: 4,
        AreaKind.grid: 12,
    }
    for area in db.session.scalars(select(Area)):
        assert area.code.isdigit() and len(area.code) == 6 + 3 * area.kind.depth
        if loaded(area, "parent").parent:
            assert area.code.startswith(loaded(area, "parent").parent.code)
            assert area.path == f"{loaded(area, 'parent').parent.path}{area.id}/"
    per_grid = Counter(db.session.scalars(select(Household.grid_id)))
    assert len(per_grid) == 12
    assert sum(per_grid.values()) == 600
    assert 1000 <= _count(Resident) <= 1500
    workers = db.session.scalars(select(User).where(User.role == Role.grid_worker)).all()
    assert sorted(w.username for w in workers) == sorted(f"worker{n}" for n in range(1, 13))
    assert all(
        len(loaded(w, "areas").areas) == 1 and loaded(w, "areas").areas[0].kind == AreaKind.grid
        for w in workers
    )
    assert len({loaded(w, "areas").areas[0].id for w in workers}) == 12


def test_every_demo_account_logs_in_and_lands_on_its_role_home(demo, app):
    users = db.session.scalars(select(User).order_by(User.username)).all()
    assert len(users) == 18
    homes = {}
    for user in users:
        # A fresh app context per person: the test's own context would carry the
        # previous user in flask.g from one login to the next.
        with app.app_context():
            client = app.test_client()
            response = client.post(
                "/login", data={"username": user.username, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, user.username
            home = client.get("/")
            assert home.status_code == 302
            location = home.headers["Location"]
            assert client.get(location).status_code == 200, (user.username, location)
            homes.setdefault(user.role, set()).add(location)
    assert set(homes) == set(Role)
    assert all(len(locations) == 1 for locations in homes.values())
    assert "/login" not in set.union(*homes.values())
    assert len(set.union(homes[Role.civil_affairs], homes[Role.admin], homes[Role.officer])) == 3


def test_demo_id_numbers_are_valid_unique_and_stored_only_encrypted(demo):
    secrets = vault()
    residents = db.session.scalars(select(Resident)).all()
    clear = []
    for resident in residents:
        number = id_numbers.parse(secrets.decrypt(resident.id_number_encrypted))
        assert number.birth_date == resident.birth_date
        assert number.gender == resident.gender
        assert secrets.keyed_hash(number.value) == resident.id_number_hash
        if resident.disability_category is not None:
            certificate = secrets.decrypt(resident.disability_certificate_encrypted)
            id_numbers.check_certificate(
                certificate,
                number.value,
                resident.disability_category,
                resident.disability_grade,
            )
        else:
            assert resident.disability_certificate_encrypted is None
        clear.append(number.value)
    assert len(set(clear)) == len(clear)
    assert {n[:6] for n in clear} & {"620201", "620200"}

    dump = []
    for table in ("resident", "household", "emergency_contact", "user", "audit_event"):
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
            dump.append(" ".join(str(value) for value in row))
    stored = "\n".join(dump)
    assert not [n for n in clear if n in stored or n[:17] in stored]


def test_demo_residents_are_a_realistic_mix_with_valid_phones(demo):
    on = today()
    residents = db.session.scalars(select(Resident)).all()
    active = [r for r in residents if r.status == ResidentStatus.active]
    ages = [on.year - r.birth_date.year for r in active]
    assert sum(60 <= a <= 96 for a in ages) > 0.6 * len(active)
    assert max(ages) <= 96
    assert sum(r.lives_alone for r in active) >= 100
    assert sum(r.empty_nest for r in active) >= 200
    disabled = [r for r in active if r.disability_category is not None]
    assert {r.disability_category for r in disabled} == set(range(1, 8))
    assert {r.disability_grade for r in disabled} == {1, 2, 3, 4}
    assert any(on.year - r.birth_date.year < 60 for r in disabled)
    for resident in residents:
        assert resident.phone == "" or PHONE.match(resident.phone)
    contacts = db.session.scalars(select(EmergencyContact)).all()
    assert len(contacts) >= 200
    assert {"儿子", "女儿"} <= {c.relation for c in contacts}
    assert all(PHONE.match(c.phone) for c in contacts)
    assert all(PHONE.match(u.phone) for u in db.session.scalars(select(User)))

    households = db.session.scalars(select(Household)).all()
    for household in households:
        alone = [r for r in loaded(household, "residents").active_residents if r.lives_alone]
        if alone:
            assert household.active_residents == alone


def test_demo_care_levels_follow_the_rules_and_overrides_have_reasons(demo):
    on = today()
    households = db.session.scalars(select(Household)).all()
    for household in households:
        expected = household_care_level(
            loaded(household, "residents").residents, household.care_level_override, on
        )
        assert household.care_level == expected, household
        if household.care_level_override:
            assert household.care_level_override_reason
    levels = Counter(h.care_level for h in households)
    assert levels[1] > 30 and levels[2] > 150 and levels[3] > 50
    overridden = [h for h in households if h.care_level_override]
    assert 3 <= len(overridden) <= 40
    assert all(h.care_level == 1 for h in overridden)


def test_demo_households_of_a_grid_lie_within_a_few_hundred_metres(demo):
    points = defaultdict(list)
    for grid_id, lat, lon in db.session.execute(
        select(Household.grid_id, Household.lat, Household.lon)
    ):
        points[grid_id].append((lat, lon))
    for grid_points in points.values():
        lats = [p[0] for p in grid_points]
        lons = [p[1] for p in grid_points]
        north_m = (max(lats) - min(lats)) * 111_320
        east_m = (max(lons) - min(lons)) * 111_320 * math.cos(math.radians(39.77))
        assert 20 < north_m < 800 and 20 < east_m < 800
        assert abs(sum(lats) / len(lats) - 39.77) < 0.05
        assert abs(sum(lons) / len(lons) - 98.29) < 0.05


def test_loading_the_demo_again_changes_nothing(demo, runner):
    before = [_count(m) for m in (Area, Household, Resident, EmergencyContact, User)]
    result = runner.invoke(args=["demo", "load", "--scale", "small", "--history-days", "0"])
    assert result.exit_code == 0
    assert "Nothing was changed" in result.output
    assert [_count(m) for m in (Area, Household, Resident, EmergencyContact, User)] == before


def test_demo_city_is_the_same_every_time():
    first = plan_city(SCALES["small"], date(2026, 11, 23))
    second = plan_city(SCALES["small"], date(2026, 11, 23))
    assert first == second
    assert len(first.households) == 600
