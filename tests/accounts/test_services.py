import pytest
from sqlalchemy import select

from gridcare.accounts import services
from gridcare.accounts.models import Role, User
from gridcare.accounts.services import SYSTEM, AccountError
from gridcare.extensions import db
from tests.conftest import PASSWORD
from tests.factories import loaded

LONG_PASSWORD = "twelve chars ok"


def test_create_user_refuses_a_password_shorter_than_twelve_characters():
    with pytest.raises(AccountError) as caught:
        services.create_user(SYSTEM, username="lihua", password="elevenchars", role=Role.officer)
    assert caught.value.field == "password"
    assert db.session.scalar(select(User).where(User.username == "lihua")) is None


def test_create_user_refuses_a_username_taken_in_another_case(make):
    make.user(username="WangFang")
    with pytest.raises(AccountError) as caught:
        services.create_user(
            SYSTEM, username=" wangfang ", password=LONG_PASSWORD, role=Role.grid_worker
        )
    assert caught.value.field == "username"
    assert len(list(db.session.scalars(select(User)))) == 1


def test_create_user_stores_role_areas_and_a_hashed_password(make):
    tree = make.tree()
    user = services.create_user(
        SYSTEM,
        username="zhaolei",
        password=LONG_PASSWORD,
        role=Role.grid_worker,
        area_ids=[tree["grid1"].id, tree["grid2"].id],
    )
    assert user.role == Role.grid_worker
    assert {a.id for a in loaded(user, "areas").areas} == {tree["grid1"].id, tree["grid2"].id}
    assert LONG_PASSWORD not in user.password_hash
    assert services.authenticate("zhaolei", LONG_PASSWORD) == user


def test_create_user_can_create_a_disabled_account_that_cannot_log_in():
    services.create_user(
        SYSTEM, username="later", password=LONG_PASSWORD, role=Role.officer, active=False
    )
    assert services.authenticate("later", LONG_PASSWORD) is None


def test_authenticate_ignores_username_case_and_records_the_login(make, new_events):
    user = make.user(username="LiuYang")
    assert services.authenticate("liuyang", PASSWORD, "10.0.0.5") == user
    [event] = new_events("login")
    assert (event.user_id, event.entity_id, event.client_addr) == (user.id, user.id, "10.0.0.5")
    assert user.last_login_at is not None


def test_authenticate_refuses_a_wrong_password_and_records_the_failure(make, new_events):
    user = make.user()
    assert services.authenticate(user.username, PASSWORD + "x", "10.0.0.6") is None
    [event] = new_events("login_failed")
    assert (event.entity, event.entity_id, event.client_addr) == ("user", user.id, "10.0.0.6")
    assert new_events("login") == []


def test_authenticate_refuses_an_inactive_user_even_with_the_right_password(make, new_events):
    user = make.user(active=False)
    assert services.authenticate(user.username, PASSWORD) is None
    assert [e.entity_id for e in new_events("login_failed")] == [user.id]


def test_authenticate_records_a_failure_for_an_unknown_username_without_keeping_it(new_events):
    assert services.authenticate("nobody-here", "some password", "10.0.0.7") is None
    [event] = new_events("login_failed")
    assert event.entity_id is None and event.user_id is None
    assert "nobody" not in event.fields


def test_set_password_changes_the_password_and_ends_every_session(make):
    user = make.user()
    old_cookie_id = user.get_id()
    services.set_password(SYSTEM, user, "a brand new passphrase")
    assert services.load_user(old_cookie_id) is None
    assert services.load_user(user.get_id()) == user
    assert services.authenticate(user.username, PASSWORD) is None
    assert services.authenticate(user.username, "a brand new passphrase") == user


def test_set_password_refuses_a_short_password_and_keeps_the_old_one(make):
    user = make.user()
    with pytest.raises(AccountError):
        services.set_password(SYSTEM, user, "short")
    assert services.authenticate(user.username, PASSWORD) == user


def test_end_sessions_makes_an_old_login_cookie_stop_working(make):
    user = make.user()
    old_cookie_id = user.get_id()
    assert services.load_user(old_cookie_id) == user
    services.end_sessions(user)
    assert services.load_user(old_cookie_id) is None


def test_load_user_refuses_a_forged_or_malformed_cookie(make):
    user = make.user()
    assert services.load_user(f"{user.id}:not-the-token") is None
    assert services.load_user(f"{user.id}") is None
    assert services.load_user("abc:def") is None


def test_update_user_audits_role_and_area_changes_by_field_name_only(make, new_events):
    tree = make.tree()
    user = make.user(Role.grid_worker, [tree["grid1"]], full_name="孙丽")
    old_cookie_id = user.get_id()
    services.update_user(
        SYSTEM,
        user,
        role=Role.officer,
        area_ids=[tree["community1"].id],
        full_name="孙丽",
        phone="",
        active=True,
    )
    [event] = new_events("update")
    assert event.field_names == ["areas", "role"]
    assert "officer" not in event.fields and str(tree["community1"].id) not in event.fields
    # A wider or narrower scope takes effect now, not at the next login.
    assert services.load_user(old_cookie_id) is None


def test_update_user_changing_only_contact_details_keeps_sessions(make, new_events):
    user = make.user(Role.officer)
    cookie_id = user.get_id()
    services.update_user(
        SYSTEM,
        user,
        role=Role.officer,
        area_ids=[],
        full_name="周敏",
        phone="13912345678",
        active=True,
    )
    assert services.load_user(cookie_id) == user
    [event] = new_events("update")
    assert event.field_names == ["full_name", "phone"]
    assert "13912345678" not in event.fields


def test_update_user_without_changes_writes_no_audit_event(make, new_events):
    user = make.user(Role.officer)
    services.update_user(
        SYSTEM, user, role=Role.officer, area_ids=[], full_name="", phone="", active=True
    )
    assert new_events("update") == []


def test_deactivating_a_user_ends_their_sessions(make):
    user = make.user(Role.officer)
    cookie_id = user.get_id()
    services.update_user(
        SYSTEM, user, role=Role.officer, area_ids=[], full_name="", phone="", active=False
    )
    assert services.load_user(cookie_id) is None
    assert services.load_user(user.get_id()) is None


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(make):
    admin = make.user(Role.admin)
    with pytest.raises(AccountError) as caught:
        services.update_user(
            SYSTEM, admin, role=Role.officer, area_ids=[], full_name="", phone="", active=True
        )
    assert caught.value.field == "role"
    with pytest.raises(AccountError) as caught:
        services.update_user(
            SYSTEM, admin, role=Role.admin, area_ids=[], full_name="", phone="", active=False
        )
    assert caught.value.field == "active"
    assert db.session.get(User, admin.id).role == Role.admin


def test_an_administrator_can_be_demoted_while_another_remains(make):
    make.user(Role.admin)
    admin = make.user(Role.admin)
    services.update_user(
        SYSTEM, admin, role=Role.officer, area_ids=[], full_name="", phone="", active=True
    )
    assert admin.role == Role.officer


def test_actor_scope_covers_a_users_areas_and_everything_for_admins(make):
    tree = make.tree()
    worker = make.user(Role.grid_worker, [tree["grid1"]])
    actor = services.actor_for(worker)
    assert actor.scope.covers(tree["grid1"].path)
    assert not actor.scope.covers(tree["grid2"].path)
    assert services.actor_for(make.user(Role.admin)).scope.covers(tree["grid4"].path)
    assert not services.actor_for(None).scope.covers(tree["grid1"].path)
