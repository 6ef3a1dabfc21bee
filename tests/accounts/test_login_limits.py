"""Failed-login limits: guessing stays bounded, and real users still log in."""

from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from limits import parse

from gridcare import create_app
from gridcare.accounts import login_limits
from gridcare.accounts.login_limits import DEVICE_COOKIE
from gridcare.config import TestConfig
from gridcare.extensions import limiter
from tests.conftest import PASSWORD, FreshContextClient, new_client

REFUSED = "Too many attempts. Please wait a few minutes and try again."
PROXY = "10.0.0.1"  # behind nginx, every phone arrives from the proxy's address


def login_as(client, username: str, password: str = PASSWORD, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def logged_in(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"


def browser(app, address: str = PROXY):
    return new_client(app, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def limit_of(app) -> int:
    return parse(app.config["GRIDCARE_LOGIN_LIMIT"]).amount


def fail(client, username: str, times: int, **kwargs) -> None:
    for _ in range(times):
        assert login_as(client, username, "a wrong guess", **kwargs).status_code == 200


@pytest.fixture
def account_limit(app, monkeypatch):
    """A small per-account budget, so that tests need not make a hundred requests."""
    monkeypatch.setitem(app.config, "GRIDCARE_LOGIN_ACCOUNT_LIMIT", "15 per day")
    return 15


def test_a_guesser_is_stopped_on_the_login_page_with_a_message(app, make):
    user = make.user()
    guesser = browser(app)
    fail(guesser, user.username, limit_of(app))
    response = login_as(guesser, user.username)  # even the right password, from here
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert REFUSED in page
    assert 'name="password"' in page and 'class="topbar"' in page  # the login page itself


def test_a_refusal_does_not_tell_whether_the_username_exists(app, make):
    user = make.user()
    guesser = browser(app)
    fail(guesser, user.username, limit_of(app))
    fail(guesser, "nobody-by-this-name", limit_of(app))
    known = login_as(guesser, user.username, "another guess")
    unknown = login_as(guesser, "nobody-by-this-name", "another guess")
    assert known.status_code == unknown.status_code == 429
    assert known.get_data(as_text=True).replace(user.username, "X") == unknown.get_data(
        as_text=True
    ).replace("nobody-by-this-name", "X")


def test_the_real_user_logs_in_from_another_address_while_a_guesser_is_stopped(app, make):
    user = make.user()
    fail(browser(app, "203.0.113.7"), user.username, limit_of(app))
    assert logged_in(login_as(browser(app, "198.51.100.20"), user.username))


def test_other_users_behind_the_same_proxy_log_in_after_many_failures_there(app, make):
    users = [make.user() for _ in range(3)]
    guesser = browser(app)
    for victim in users[:2]:
        fail(guesser, victim.username, limit_of(app))
    for n in range(limit_of(app) * 3):
        login_as(guesser, f"nobody{n}", "a wrong guess")
    assert logged_in(login_as(browser(app), users[2].username))
    assert login_as(browser(app), users[0].username).status_code == 429


def test_guessing_one_account_from_many_addresses_stays_bounded(app, make, account_limit):
    user = make.user()
    for n in range(account_limit):
        login_as(browser(app, f"203.0.113.{n + 1}"), user.username, "a wrong guess")
    response = login_as(browser(app, "198.51.100.99"), user.username)
    assert response.status_code == 429
    assert REFUSED in response.get_data(as_text=True)


def test_a_known_device_logs_in_while_guessers_are_stopped_everywhere(app, make, account_limit):
    user = make.user()
    phone = browser(app)
    assert logged_in(login_as(phone, user.username))
    phone.post("/logout")
    fail(browser(app), user.username, limit_of(app))  # from the phone's own address
    for n in range(account_limit):
        login_as(browser(app, f"203.0.113.{n + 1}"), user.username, "a wrong guess")
    assert login_as(browser(app, "198.51.100.5"), user.username).status_code == 429
    assert logged_in(login_as(phone, user.username))


def test_a_known_device_is_stopped_by_its_own_failures(app, make):
    user = make.user()
    phone = browser(app)
    assert logged_in(login_as(phone, user.username))
    phone.post("/logout")
    fail(phone, user.username, limit_of(app))
    assert login_as(phone, user.username).status_code == 429
    assert logged_in(login_as(browser(app), user.username))  # another phone is not


def test_a_known_device_is_known_only_for_the_accounts_that_logged_in_on_it(app, make):
    user, other = make.user(), make.user()
    phone = browser(app)
    assert logged_in(login_as(phone, user.username))
    phone.post("/logout")
    fail(browser(app), other.username, limit_of(app))
    assert login_as(phone, other.username).status_code == 429


def test_a_forged_device_cookie_counts_for_nothing(app, make):
    user = make.user()
    fail(browser(app), user.username, limit_of(app))
    forger = browser(app)
    signed_elsewhere = URLSafeTimedSerializer("not our key", salt="gridcare-known-device")
    forged = signed_elsewhere.dumps({"d": "abc", "u": [user.username]})
    forger.set_cookie(DEVICE_COOKIE, forged, path="/login")
    assert login_as(forger, user.username).status_code == 429


def test_the_limit_treats_padded_capitals_as_the_same_username(app, make):
    make.user(username="worker5")
    guesser = browser(app)
    for n in range(limit_of(app)):
        typed = [" WORKER5 ", "Worker5", "worker5 "][n % 3]
        assert login_as(guesser, typed, "a wrong guess").status_code == 200
    assert login_as(guesser, "worker5").status_code == 429
    assert logged_in(login_as(browser(app), " WORKER5 ", environ_base={"REMOTE_ADDR": "1.2.3.4"}))


def test_successful_logins_do_not_count_towards_the_limit(app, make):
    user = make.user()
    limit = limit_of(app)
    guesser, owner = new_client(app), new_client(app)
    for _ in range(limit - 1):
        assert login_as(guesser, user.username, "guess").status_code == 200
    for _ in range(3):
        assert login_as(owner, user.username).status_code == 302
        owner.post("/logout")
    assert login_as(guesser, user.username, "guess").status_code == 200
    assert login_as(guesser, user.username, "guess").status_code == 429


# The client address: X-Forwarded-For only from as many proxies as are trusted.


def test_a_spoofed_x_forwarded_for_is_ignored_without_trusted_proxies(app, make, new_events):
    user = make.user()
    guesser = browser(app)
    for n in range(limit_of(app)):
        spoofed = {"X-Forwarded-For": f"203.0.113.{n + 1}"}
        assert login_as(guesser, user.username, "guess", headers=spoofed).status_code == 200
    refused = login_as(guesser, user.username, headers={"X-Forwarded-For": "198.51.100.1"})
    assert refused.status_code == 429
    assert {e.client_addr for e in new_events("login_failed")} == {PROXY}


@pytest.fixture
def behind_one_proxy(app):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    proxied = create_app(
        {
            **config,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "GRIDCARE_TRUSTED_PROXIES": 1,
        }
    )
    proxied.test_client_class = FreshContextClient
    return proxied


def test_x_forwarded_for_is_honoured_with_one_trusted_proxy(behind_one_proxy, make, new_events):
    user = make.user()
    nginx = browser(behind_one_proxy)
    phone = {"X-Forwarded-For": "203.0.113.8"}
    fail(nginx, user.username, limit_of(behind_one_proxy), headers=phone)
    assert login_as(nginx, user.username, headers=phone).status_code == 429
    other_phone = {"X-Forwarded-For": "198.51.100.3"}
    assert logged_in(login_as(nginx, user.username, headers=other_phone))
    assert {e.client_addr for e in new_events("login_failed")} == {"203.0.113.8"}


# Guesses sent in parallel, and a rate-limit storage that cannot be reached.


def test_guesses_in_flight_together_are_each_counted_before_any_password_is_checked(app, make):
    user = make.user()
    with app.test_request_context():
        guesses = [login_limits.attempt(user.username, PROXY, None) for _ in range(30)]
        # Thirty requests that all arrive before any of them has compared a password.
        admitted = [login_limits.admit(guess) for guess in guesses]
    assert admitted.count(True) == limit_of(app)


def test_logins_go_on_with_per_process_limits_when_redis_cannot_be_reached(app, make, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for method in ("check", "get", "incr", "get_expiry"):
        monkeypatch.setattr(limiter.limiter.storage, method, unreachable)
    user = make.user()
    guesser = browser(app)
    fail(guesser, user.username, limit_of(app))
    assert login_as(guesser, user.username).status_code == 429
    assert logged_in(login_as(browser(app, "192.0.2.7"), user.username))
