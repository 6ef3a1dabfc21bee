import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from gridcare.areas import services
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import EVERYWHERE, NOWHERE, Scope, get_in_scope_or_404
from gridcare.areas.services import AreaError
from gridcare.extensions import db


def reloaded(area: Area) -> Area:
    db.session.expire_all()
    return db.session.get(Area, area.id)


def test_create_area_builds_the_path_from_its_ancestors():
    district = services.create_area(AreaKind.district, "雄关区", "620202", None)
    street = services.create_area(AreaKind.street, "新华路街道", "620202001", district)
    community = services.create_area(AreaKind.community, "明珠社区", "620202001001", street)
    grid = services.create_area(AreaKind.grid, " 明珠1网格 ", " 620202001001-01 ", community)
    assert district.path == f"/{district.id}/"
    assert grid.path == f"/{district.id}/{street.id}/{community.id}/{grid.id}/"
    assert (grid.name, grid.code, grid.depth) == ("明珠1网格", "620202001001-01", 3)
    assert district.contains(grid) and not grid.contains(district)


@pytest.mark.parametrize(
    ("kind", "parent_key"),
    [
        (AreaKind.grid, "street1"),
        (AreaKind.grid, None),
        (AreaKind.community, "district"),
        (AreaKind.street, "grid1"),
        (AreaKind.district, "district"),
    ],
)
def test_an_area_must_sit_under_the_kind_above_it(make, kind, parent_key):
    tree = make.tree()
    parent = tree[parent_key] if parent_key else None
    with pytest.raises(AreaError) as caught:
        services.create_area(kind, "错位", "MISPLACED", parent)
    assert caught.value.field == "parent_id"
    assert services.area_by_code("MISPLACED") is None


def test_a_grid_outside_a_community_is_refused_with_a_message_naming_community(app, make):
    tree = make.tree()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(AreaError) as caught:
            services.create_area(AreaKind.grid, "网格", "G-X", tree["street1"])
        assert str(caught.value.message) == "This kind of area must sit under a Community."


def test_area_codes_are_unique_even_with_surrounding_spaces(make):
    tree = make.tree()
    with pytest.raises(AreaError) as caught:
        services.create_area(AreaKind.grid, "重复", f" {tree['grid1'].code} ", tree["community1"])
    assert caught.value.field == "code"


def test_rename_refuses_another_areas_code_and_keeps_the_old_name(make):
    tree = make.tree()
    with pytest.raises(AreaError):
        services.rename_area(tree["grid1"], "新名字", tree["grid2"].code)
    assert reloaded(tree["grid1"]).name == "明珠1网格"
    renamed = services.rename_area(tree["grid1"], "明珠一网格", tree["grid1"].code)
    assert renamed.name == "明珠一网格"


def test_move_area_rewrites_the_paths_of_everything_beneath(make):
    tree = make.tree()
    other_district = make.area("district", name="长城区")
    services.move_area(tree["street1"], other_district)

    street, community, grid = (
        reloaded(tree["street1"]),
        reloaded(tree["community1"]),
        reloaded(tree["grid1"]),
    )
    assert street.parent_id == other_district.id
    assert street.path == f"{other_district.path}{street.id}/"
    assert community.path == f"{street.path}{community.id}/"
    assert grid.path == f"{community.path}{grid.id}/"
    # The street that stayed behind is untouched.
    assert reloaded(tree["grid3"]).path.startswith(tree["district"].path)
    assert not reloaded(tree["district"]).contains(grid)


def test_move_area_refuses_a_parent_of_the_wrong_kind(make):
    tree = make.tree()
    with pytest.raises(AreaError):
        services.move_area(tree["grid1"], tree["street2"])
    assert reloaded(tree["grid1"]).parent_id == tree["community1"].id


def test_area_changes_are_audited_by_field_name(make, new_events):
    tree = make.tree()
    grid = services.create_area(AreaKind.grid, "新网格", "NEW-G", tree["community1"])
    services.rename_area(grid, "改名网格", "NEW-G")
    services.move_area(grid, tree["community2"])
    assert [(e.action, e.entity, e.entity_id) for e in new_events()] == [
        ("create", "area", grid.id),
        ("update", "area", grid.id),
        ("move", "area", grid.id),
    ]
    assert all("改名" not in e.fields for e in new_events())


def test_scope_filter_limits_a_query_to_the_callers_areas(make):
    tree = make.tree()
    scope = Scope((tree["community1"].path,))
    found = set(db.session.scalars(select(Area.id).where(scope.filter(Area.path))))
    assert found == {tree["community1"].id, tree["grid1"].id, tree["grid2"].id}
    assert not set(db.session.scalars(select(Area.id).where(NOWHERE.filter(Area.path))))
    everything = set(db.session.scalars(select(Area.id).where(EVERYWHERE.filter(Area.path))))
    assert {a.id for a in tree.values()} <= everything


def test_get_in_scope_or_404_hides_records_outside_the_scope(make):
    tree = make.tree()
    scope = Scope((tree["grid1"].path,))
    assert get_in_scope_or_404(Area, tree["grid1"].id, scope) == tree["grid1"]
    for outside in (tree["grid2"].id, tree["community1"].id, 999_999, "abc", None):
        with pytest.raises(NotFound):
            get_in_scope_or_404(Area, outside, scope)


def test_a_scope_does_not_leak_into_an_area_whose_id_starts_the_same(make):
    # "/1/" must not match "/12/": paths end with a slash for this reason.
    tree = make.tree()
    scope = Scope((tree["district"].path,))
    for _ in range(12):
        make.area("district")
    outside = set(db.session.scalars(select(Area.id).where(~scope.filter(Area.path))))
    assert not outside & {a.id for a in tree.values()}
    assert len(outside) >= 12


def test_areas_in_scope_lists_each_area_after_its_parent_and_filters_by_kind(make):
    tree = make.tree()
    scope = Scope((tree["street1"].path,))
    listed = [a.id for a in services.areas_in_scope(scope)]
    assert listed[:2] == [tree["street1"].id, tree["community1"].id]
    assert set(listed[2:]) == {tree["grid1"].id, tree["grid2"].id}
    grids = services.areas_in_scope(scope, [AreaKind.grid])
    assert {a.name for a in grids} == {"明珠1网格", "明珠2网格"}


def test_ancestors_and_children_follow_the_tree(make):
    tree = make.tree()
    assert services.ancestors(tree["grid3"]) == [
        tree["district"],
        tree["street2"],
        tree["community2"],
    ]
    assert services.ancestors(tree["district"]) == []
    assert {a.id for a in services.child_areas(tree["community1"])} == {
        tree["grid1"].id,
        tree["grid2"].id,
    }


def many_grids(make, names=range(1, 13)):
    """A community whose grids were created in order 1…12, so ids cross into two digits
    and their paths sort as strings (/…/10/ before /…/8/)."""
    tree = make.tree()
    community = tree["community1"]
    grids = [
        make.area("grid", community, name=f"明珠{n}网格", code=f"MZ{n}")
        for n in names
        if n not in (1, 2)
    ]
    return tree, [tree["grid1"], tree["grid2"], *grids]


def test_grids_are_listed_by_code_numbers_by_value_not_by_path(make):
    tree, _ = many_grids(make)
    for grid, n in ((tree["grid1"], 1), (tree["grid2"], 2)):
        grid.code = f"MZ{n}"
    db.session.commit()
    grids = services.areas_in_scope(Scope((tree["community1"].path,)), [AreaKind.grid])
    assert [g.name for g in grids] == [f"明珠{n}网格" for n in range(1, 13)]


def test_the_tree_keeps_children_under_their_parent_with_siblings_by_code(make):
    tree, grids = many_grids(make)
    tree["street1"].code, tree["street2"].code = "S2", "S1"
    db.session.commit()
    listed = services.areas_in_scope(Scope((tree["district"].path,)))
    names = [a.name for a in listed]
    assert names[:4] == ["雄关区", "五一路街道", "朝阳社区", "朝阳1网格"]
    for area in listed[1:]:
        parent_at = listed.index(next(a for a in listed if a.id == area.parent_id))
        between = listed[parent_at + 1 : listed.index(area)]
        assert all(a.path.startswith(listed[parent_at].path) for a in between)


def test_grids_in_scope_are_the_callers_grids_in_tree_order(make):
    tree = make.tree()
    scope = Scope((tree["community2"].path, tree["grid1"].path))
    assert [g.id for g in services.grids_in_scope(scope)] == [
        tree["grid1"].id,
        tree["grid3"].id,
        tree["grid4"].id,
    ]


def test_areas_named_with_circled_or_superscript_digits_still_sort(make):
    tree = make.tree()
    for code, name in (("X1", "新区1①"), ("X2", "新区²"), ("X3", "١٢网格")):
        make.area(AreaKind.street, tree["district"], name=name, code=code)
    names = [area.name for area in services.in_tree_order(db.session.scalars(select(Area)))]
    assert names.index("新区1①") < names.index("新区²") < names.index("١٢网格")
