from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from gridcare.accounts import services
from gridcare.accounts.models import Role, User
from gridcare.extensions import db
from tests.conftest import PASSWORD, new_client
from tests.factories import loaded

NEW_PASSWORD = "another long passphrase"


def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def user_named(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def login_as(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def set_cookie_headers(response, name: str = "session") -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


@pytest.fixture
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# Logging in and where each role lands.


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.grid_worker, "/visits/today"),
        (Role.officer, "/visits/workload"),
        (Role.civil_affairs, "/reports/"),
        (Role.admin, "/admin/users"),
    ],
)
def test_each_role_lands_on_its_own_start_page_after_login(client, make, login, role, home):
    response = login(make.user(role))
    assert path_of(response) == "/"
    assert path_of(client.get("/")) == home
    assert client.get(home).status_code == 200


def test_login_page_shows_the_form(english):
    page = english.get("/login").get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page
    assert "Log in" in page


def test_wrong_password_is_shown_next_to_the_password_field(english, make):
    user = make.user()
    response = login_as(english, user.username, "not the password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<p class="error" id="password-msg" role="alert">Wrong username or password.</p>' in page
    assert path_of(english.get("/")) == "/login"


def test_unknown_username_gets_the_same_message_as_a_wrong_password(english):
    page = login_as(english, "nobody-at-all", "whatever password").get_data(as_text=True)
    assert "Wrong username or password." in page


def test_inactive_user_cannot_log_in(english, make):
    user = make.user(active=False)
    page = login_as(english, user.username).get_data(as_text=True)
    assert "Wrong username or password." in page


def test_login_starts_a_new_session_and_drops_what_was_stored_before(client, make):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.get_cookie("session").value
    login_as(client, make.user().username)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    response = login_as(client, make.user().username)
    [cookie] = set_cookie_headers(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = login_as(client, make.user().username, base_url="https://localhost")
    [cookie] = set_cookie_headers(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_makes_a_copy_of_the_old_session_cookie_useless(app, client, make, login):
    login(make.user(Role.officer))
    stolen = client.get_cookie("session").value
    assert client.get("/registry/households").status_code == 200

    response = client.post("/logout")
    assert path_of(response) == "/login"
    assert path_of(client.get("/registry/households")) == "/login"

    thief = new_client(app)
    thief.set_cookie("session", stolen)
    assert path_of(thief.get("/registry/households")) == "/login"


def test_logout_is_not_possible_with_a_get_request(client, make, login):
    login(make.user())
    assert client.get("/logout").status_code == 405
    assert client.get("/registry/households").status_code == 200


# Where a login sends you next.


def test_login_follows_next_to_a_local_page(client, make):
    response = client.post(
        "/login?next=/reports/%3Farea%3D1",
        data={"username": make.user(Role.officer).username, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/reports/?area=1"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/login",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_never_redirects_to_another_site(client, make, target):
    user = make.user(Role.officer)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": user.username, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_page_that_needs_login_sends_you_back_to_it_afterwards(client, make):
    response = client.get("/admin/users")
    assert path_of(response) == "/login"
    response = client.post(
        response.headers["Location"],
        data={"username": make.user(Role.admin).username, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/admin/users"


def test_the_login_prompt_is_in_the_visitors_language(client):
    client.get("/admin/users")
    page = client.get("/login").get_data(as_text=True)
    assert "请先登录" in page


# Changing your own password.


def test_changing_your_password_needs_the_current_one(english, make, login):
    user = make.user()
    login(user)
    response = english.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert "This is not your current password." in response.get_data(as_text=True)
    assert services.authenticate(user.username, PASSWORD) is not None


def test_changing_your_password_keeps_this_session_and_ends_the_others(app, client, make, login):
    user = make.user()
    login(user)
    phone = new_client(app)
    login_as(phone, user.username)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert path_of(response) == "/"
    assert client.get("/registry/households").status_code == 200
    assert path_of(phone.get("/registry/households")) == "/login"
    assert path_of(login_as(new_client(app), user.username, NEW_PASSWORD)) == "/"


# Account administration.


def test_admin_creates_an_account_with_a_role_and_areas(client, make, login):
    tree = make.tree()
    login(make.user(Role.admin))
    response = client.post(
        "/admin/users/new",
        data={
            "username": "wanggang",
            "full_name": "王刚",
            "phone": "13812345678",
            "role": "grid_worker",
            "area_ids": [tree["grid1"].id, tree["grid2"].id],
            "password": NEW_PASSWORD,
            "active": "y",
        },
    )
    assert path_of(response) == "/admin/users"
    user = user_named("wanggang")
    assert user.role == Role.grid_worker and user.active
    assert {a.id for a in loaded(user, "areas").areas} == {tree["grid1"].id, tree["grid2"].id}
    assert "王刚" in client.get("/admin/users").get_data(as_text=True)


def test_admin_can_create_an_account_that_is_not_yet_active(client, make, login):
    login(make.user(Role.admin))
    client.post(
        "/admin/users/new",
        data={"username": "notyet", "role": "officer", "password": NEW_PASSWORD},
    )
    assert user_named("notyet").active is False


@pytest.mark.parametrize(
    "tampered",
    [
        {"role": "superuser"},
        {"role": ""},
        {"area_ids": ["999999"]},
        {"area_ids": ["not-a-number"]},
        {"password": "too short"},
    ],
)
def test_account_form_refuses_values_outside_its_choices_and_creates_nothing(
    client, make, login, tampered
):
    tree = make.tree()
    login(make.user(Role.admin))
    data = {
        "username": "mallory",
        "role": "officer",
        "area_ids": [tree["community1"].id],
        "password": NEW_PASSWORD,
        "active": "y",
        **tampered,
    }
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert user_named("mallory") is None


def test_account_form_ignores_fields_it_does_not_offer(client, make, login):
    login(make.user(Role.admin))
    client.post(
        "/admin/users/new",
        data={
            "username": "plain",
            "role": "officer",
            "password": NEW_PASSWORD,
            "active": "y",
            "session_token": "chosen-by-attacker",
            "password_hash": "pbkdf2:sha256:1$x$y",
            "locale": "en",
        },
    )
    user = user_named("plain")
    assert user.session_token != "chosen-by-attacker"
    assert user.locale is None
    assert services.authenticate("plain", NEW_PASSWORD) == user


def test_duplicate_username_is_refused_next_to_the_field(english, make, login):
    make.user(username="LiLei")
    login(make.user(Role.admin))
    response = english.post(
        "/admin/users/new", data={"username": "lilei", "role": "officer", "password": NEW_PASSWORD}
    )
    assert "This username is already taken." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.grid_worker, Role.officer, Role.civil_affairs])
def test_only_admins_may_manage_accounts(client, make, login, role):
    login(make.user(role))
    assert client.get("/admin/users").status_code == 403
    response = client.post(
        "/admin/users/new", data={"username": "sneaky", "role": "admin", "password": NEW_PASSWORD}
    )
    assert response.status_code == 403
    assert user_named("sneaky") is None


def test_forbidden_page_is_the_apps_own(english, make, login):
    login(make.user(Role.officer))
    page = english.get("/admin/users").get_data(as_text=True)
    assert "Your role may not do this." in page


def test_deactivating_a_user_ends_their_sessions(app, client, make, login):
    worker = make.user(Role.grid_worker)
    phone = new_client(app)
    login_as(phone, worker.username)
    assert phone.get("/registry/households").status_code == 200

    login(make.user(Role.admin))
    response = client.post(
        f"/admin/users/{worker.id}",
        # As the browser sends it with the box unticked and no area chosen.
        data={"role": "grid_worker", "full_name": "", "phone": "", "area_ids": "", "active": ""},
    )
    assert path_of(response) == "/admin/users"
    assert user_named(worker.username).active is False
    assert path_of(phone.get("/registry/households")) == "/login"
    assert login_as(new_client(app), worker.username).status_code == 200


def test_an_admin_editing_their_own_account_stays_logged_in(client, make, login):
    make.user(Role.admin)
    admin = make.user(Role.admin)
    login(admin)
    client.post(
        f"/admin/users/{admin.id}",
        data={"role": "admin", "full_name": "管理员", "phone": "", "area_ids": "", "active": "y"},
    )
    assert client.get("/admin/users").status_code == 200


def test_the_last_admin_cannot_demote_themselves(english, make, login):
    admin = make.user(Role.admin)
    login(admin)
    response = english.post(
        f"/admin/users/{admin.id}",
        data={"role": "officer", "full_name": "", "phone": "", "area_ids": "", "active": "y"},
    )
    assert "At least one active administrator must remain." in response.get_data(as_text=True)
    assert user_named(admin.username).role == Role.admin


def test_admin_resets_a_password_and_the_users_sessions_end(app, client, make, login):
    worker = make.user(Role.grid_worker)
    phone = new_client(app)
    login_as(phone, worker.username)
    login(make.user(Role.admin))
    response = client.post(
        f"/admin/users/{worker.id}/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert path_of(response) == "/admin/users"
    assert path_of(phone.get("/registry/households")) == "/login"
    assert path_of(login_as(new_client(app), worker.username, NEW_PASSWORD)) == "/"


# The command line.


def test_cli_creates_a_user_with_areas(runner, make):
    tree = make.tree()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "chenjing",
            "--role",
            "grid_worker",
            "--area",
            tree["grid1"].code,
            "--area",
            tree["grid2"].code,
            "--password",
            NEW_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created chenjing (grid_worker)." in result.output
    user = user_named("chenjing")
    assert [a.code for a in loaded(user, "areas").areas] == [tree["grid1"].code, tree["grid2"].code]
    assert services.authenticate("chenjing", NEW_PASSWORD) == user


def test_cli_asks_for_the_password_twice_when_not_given(runner):
    result = runner.invoke(
        args=["users", "create", "admin2", "--role", "admin"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert user_named("admin2").role == Role.admin


def test_cli_refuses_a_short_password_and_an_unknown_area(runner):
    result = runner.invoke(
        args=["users", "create", "shorty", "--role", "officer", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "12" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "lost",
            "--role",
            "officer",
            "--area",
            "NOPE",
            "--password",
            NEW_PASSWORD,
        ]
    )
    assert result.exit_code == 2
    assert "NOPE" in result.output
    assert user_named("shorty") is None and user_named("lost") is None


def test_a_post_carrying_only_the_csrf_token_changes_nothing(english, make, login):
    tree = make.tree()
    worker = make.user(Role.grid_worker, areas=[tree["grid1"]], full_name="李网格")
    login(make.user(Role.admin))

    response = english.post(f"/admin/users/{worker.id}", data={"csrf_token": "token"})

    assert response.status_code == 200
    assert "The form arrived incomplete" in response.get_data(as_text=True)
    saved = user_named(worker.username)
    assert saved.active is True
    assert [a.id for a in loaded(saved, "areas").areas] == [tree["grid1"].id]
    assert saved.full_name == "李网格"


def test_the_edit_form_sends_an_unticked_box_and_an_empty_area_list(english, make, login):
    worker = make.user(Role.grid_worker, areas=[make.tree()["grid1"]])
    login(make.user(Role.admin))

    body = english.get(f"/admin/users/{worker.id}").get_data(as_text=True)

    assert '<input name="active" type="hidden" value="">' in body
    assert '<input name="area_ids" type="hidden" value="">' in body
