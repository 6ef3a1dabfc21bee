"""Who works where: the one place visits, hazards, door plates and reports ask."""

from gridcare.accounts.lookups import (
    areas_of,
    grid_worker,
    grid_workers,
    officers_over,
    users_over,
    workers_in_scope,
    workers_over,
    workers_under,
)
from gridcare.accounts.services import actor_for


def test_each_grid_gets_its_active_worker_the_longest_serving_if_several(make):
    tree = make.tree()
    first = make.user("grid_worker", areas=[tree["grid1"]])
    make.user("grid_worker", areas=[tree["grid1"]])
    make.user("grid_worker", areas=[tree["grid2"]], active=False)
    make.user("officer", areas=[tree["grid3"]])

    workers = grid_workers([tree["grid1"].id, tree["grid2"].id, tree["grid3"].id])

    assert workers == {tree["grid1"].id: first.id}
    assert grid_worker(tree["grid1"].id).id == first.id
    assert grid_worker(tree["grid2"].id) is None
    assert grid_workers([]) == {}


def test_workers_in_scope_are_the_active_workers_of_the_callers_areas_by_username(make):
    tree = make.tree()
    b = make.user("grid_worker", areas=[tree["grid2"]], username="b_worker")
    a = make.user("grid_worker", areas=[tree["grid1"], tree["grid2"]], username="a_worker")
    make.user("grid_worker", areas=[tree["grid3"]])
    officer = make.user("officer", areas=[tree["community1"]])

    assert [w.id for w in workers_in_scope(actor_for(officer).scope)] == [a.id, b.id]
    assert [w.id for w in workers_under(tree["grid2"])] == [a.id, b.id]


def test_workers_and_officers_over_a_grid_are_those_whose_areas_contain_it(make):
    tree = make.tree()
    grid_path = tree["grid1"].path
    own = make.user("grid_worker", areas=[tree["grid1"]])
    roving = make.user("grid_worker", areas=[tree["street1"]])
    make.user("grid_worker", areas=[tree["grid2"]])
    officer = make.user("officer", areas=[tree["community1"]])
    make.user("officer", areas=[tree["community2"]])
    make.user("officer", areas=[tree["community1"]], active=False)

    assert {w.id for w in workers_over(grid_path)} == {own.id, roving.id}
    assert officers_over(grid_path) == [officer.id]


def test_a_users_own_areas_say_what_they_can_open(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"], tree["grid3"]])
    nobody = make.user("grid_worker")
    own = areas_of([worker.id, nobody.id])
    assert own[worker.id].covers(tree["grid3"].path)
    assert not own[worker.id].covers(tree["grid2"].path)
    assert not own[nobody.id].covers(tree["grid1"].path)


def test_users_over_a_grid_are_every_role_whose_areas_contain_it(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    officer = make.user("officer", areas=[tree["community1"]])
    make.user("officer", areas=[tree["community2"]])
    assert users_over(tree["grid1"].path) == {worker.id, officer.id}
