from datetime import date

import pytest
from sqlalchemy import event

from gridcare.extensions import db
from gridcare.registry import services
from gridcare.registry.models import (
    ResidentStatus,
)
from tests.registry.services.conftest import (
    FULL_WIDTH,
    OLD,
)


def test_a_resident_is_found_by_id_number_only_in_scope(officer, make, tree, household):
    number = make.id_number(OLD)
    resident = make.resident(household, id_number=number)
    outsider = make.id_number(OLD)
    make.resident(make.household(tree["grid3"]), id_number=outsider)

    assert services.resident_by_id_number(officer.scope, number.lower()) == resident
    assert services.resident_by_id_number(officer.scope, outsider) is None


# The household list.


@pytest.fixture
def street(make, tree):
    """Households across two communities, with the people the filters look for."""
    h = {
        "alone": make.household(tree["grid1"], address="明珠路1号"),
        "nest": make.household(tree["grid2"], address="明珠路2号"),
        "disabled": make.household(tree["grid1"], address="明珠路3号"),
        "moved": make.household(tree["grid1"], address="明珠路4号"),
        "far": make.household(tree["grid3"], address="朝阳路1号"),
    }
    make.resident(h["alone"], name="刘德胜", birth_date=OLD, lives_alone=True, phone="13911112222")
    make.resident(
        h["nest"],
        name="陈美华",
        birth_date=date(1955, 1, 1),
        empty_nest=True,
        contacts=[("陈明", "儿子", "13733334444")],
    )
    make.resident(
        h["disabled"],
        name="孙立",
        birth_date=date(1985, 1, 1),
        disability_category=1,
        disability_grade=3,
    )
    make.resident(
        h["moved"],
        birth_date=OLD,
        lives_alone=True,
        status=ResidentStatus.moved_out,
        status_date=date(2025, 1, 1),
    )
    make.resident(h["far"], name="刘德胜", birth_date=OLD, lives_alone=True)
    return h


def listed(actor, **filters) -> set[str]:
    return {h.address for h in services.list_households(actor.scope, **filters).items}


def test_the_list_shows_only_households_in_scope(officer, worker, street):
    assert listed(officer) == {"明珠路1号", "明珠路2号", "明珠路3号", "明珠路4号"}
    assert listed(worker) == {"明珠路1号", "明珠路3号", "明珠路4号"}


def test_filter_by_area_stays_inside_scope(officer, worker, tree, street):
    assert listed(officer, area_id=tree["grid2"].id) == {"明珠路2号"}
    assert listed(worker, area_id=tree["community1"].id) == {"明珠路1号", "明珠路3号", "明珠路4号"}
    assert listed(officer, area_id=tree["grid3"].id) == set()


def test_filter_by_care_level(officer, street):
    assert listed(officer, care_level=1) == {"明珠路1号"}
    assert listed(officer, care_level=2) == {"明珠路2号", "明珠路3号"}


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("lives_alone", {"明珠路1号"}), ("empty_nest", {"明珠路2号"}), ("disabled", {"明珠路3号"})],
)
def test_flags_count_only_current_residents(officer, street, flag, expected):
    assert listed(officer, flag=flag) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("刘德", {"明珠路1号"}),
        ("路2", {"明珠路2号"}),
        ("13911112222", {"明珠路1号"}),
        ("2222", {"明珠路1号"}),
        ("13733334444", {"明珠路2号"}),
        ("%", set()),
    ],
)
def test_search_by_name_address_or_phone_never_leaves_scope(officer, street, q, expected):
    assert listed(officer, q=q) == expected


def test_an_id_number_in_the_search_finds_nothing_since_lookups_are_audited(
    officer, make, street, new_events
):
    number = make.id_number(OLD)
    make.resident(street["nest"], id_number=number)

    assert listed(officer, q=number) == set()
    assert listed(officer, q=f"{number[:6]} {number[6:14]} {number[14:]}") == set()
    assert listed(officer, q=number.translate(FULL_WIDTH)) == set()
    assert new_events("lookup_id_number") == []


def test_the_audited_lookup_reads_full_width_digits(officer, make, street, new_events):
    number = make.id_number(OLD)
    resident = make.resident(street["nest"], id_number=number)

    found = services.find_by_id_number(officer, number.translate(FULL_WIDTH))

    assert found.id == resident.id
    assert [e.entity_id for e in new_events("lookup_id_number")] == [resident.id]


def test_closed_households_are_listed_only_on_request(officer, street):
    street["moved"].active = False
    db.session.commit()

    assert "明珠路4号" not in listed(officer)
    assert "明珠路4号" in listed(officer, include_inactive=True)


def test_the_list_pages_in_address_order(officer, street):
    first = services.list_households(officer.scope, page_size=3)
    second = services.list_households(officer.scope, page=2, page_size=3)

    assert [h.address for h in first.items] == ["明珠路1号", "明珠路2号", "明珠路3号"]
    assert first.has_next
    assert [h.address for h in second.items] == ["明珠路4号"]
    assert not second.has_next


def test_a_page_costs_the_same_number_of_queries_however_many_households(officer, make, tree):
    def queries_for_listing() -> int:
        db.session.expunge_all()
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = services.list_households(officer.scope)
            for h in page.items:
                _ = (h.grid.name, [(r.name, r.lives_alone) for r in h.active_residents])
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for _ in range(2):
        make.resident(make.household(tree["grid1"]), birth_date=OLD)
    few = queries_for_listing()
    for _ in range(30):
        household = make.household(tree["grid2"])
        make.resident(household, birth_date=OLD)
        make.resident(household, birth_date=date(1950, 1, 1))
    many = queries_for_listing()

    assert few == many <= 3
