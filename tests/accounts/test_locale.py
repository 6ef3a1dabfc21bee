from urllib.parse import urlsplit

import pytest
from flask_babel import gettext
from sqlalchemy import select

from gridcare.accounts.models import User
from gridcare.extensions import db
from tests.conftest import PASSWORD, new_client

CHINESE_LOGIN = "<h1>登录</h1>"
ENGLISH_LOGIN = "<h1>Log in</h1>"


def login_page(client, **headers) -> str:
    return client.get("/login", headers=headers).get_data(as_text=True)


def stored_locale(user: User) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(User.locale).where(User.id == user.id))


def test_the_interface_is_chinese_when_the_browser_names_no_language(client):
    page = login_page(client)
    assert CHINESE_LOGIN in page
    assert '<html lang="zh-CN">' in page
    assert "用户名" in page and "密码" in page


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "en-GB"])
def test_a_browser_asking_for_english_gets_english(client, header):
    page = login_page(client, **{"Accept-Language": header})
    assert ENGLISH_LOGIN in page
    assert '<html lang="en">' in page


@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9,en;q=0.8", "zh", "fr-FR,fr;q=0.9", "*"])
def test_other_browsers_get_chinese(client, header):
    assert CHINESE_LOGIN in login_page(client, **{"Accept-Language": header})


def test_form_messages_from_wtforms_are_chinese_too(client):
    page = client.post("/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert "This field is required." not in page
    assert 'id="username-msg"' in page


def test_a_users_own_language_wins_over_the_browser(app, make):
    english_user = make.user(locale="en")
    chinese_user = make.user(locale="zh_CN")

    browser = new_client(app, HTTP_ACCEPT_LANGUAGE="zh-CN")
    browser.post("/login", data={"username": english_user.username, "password": PASSWORD})
    page = browser.get("/account/password").get_data(as_text=True)
    assert "Change password" in page and '<html lang="en">' in page

    browser = new_client(app, HTTP_ACCEPT_LANGUAGE="en")
    browser.post("/login", data={"username": chinese_user.username, "password": PASSWORD})
    page = browser.get("/account/password").get_data(as_text=True)
    assert "修改密码" in page and '<html lang="zh-CN">' in page


def test_the_language_switch_on_the_login_page_works_before_logging_in(client):
    response = client.post("/language?next=/login", data={"locale": "en"})
    assert urlsplit(response.headers["Location"]).path == "/login"
    page = login_page(client)
    assert ENGLISH_LOGIN in page
    assert '<option value="en" selected>English</option>' in page
    client.post("/language?next=/login", data={"locale": "zh_CN"})
    assert CHINESE_LOGIN in login_page(client, **{"Accept-Language": "en"})


def test_the_language_form_on_the_login_page_sends_you_back_there(client):
    page = login_page(client)
    assert 'action="/language?next=/login' in page


def test_a_language_chosen_before_login_becomes_the_users_own(client, make):
    user = make.user()
    client.post("/language", data={"locale": "en"})
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert stored_locale(user) == "en"


def test_a_logged_in_users_choice_persists_into_their_next_login(app, client, make, login):
    user = make.user(locale="zh_CN")
    login(user)
    client.post("/language?next=/account/password", data={"locale": "en"})
    assert stored_locale(user) == "en"
    client.post("/logout")

    elsewhere = new_client(app)  # another device, no Accept-Language at all
    elsewhere.post("/login", data={"username": user.username, "password": PASSWORD})
    assert "Change password" in elsewhere.get("/account/password").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx"})
    assert CHINESE_LOGIN in login_page(client)


def test_the_language_switch_does_not_redirect_to_another_site(client):
    response = client.post(
        "/language", data={"locale": "en"}, headers={"Referer": "https://evil.example/phish"}
    )
    assert response.headers["Location"] == "/"
    response = client.post(
        "/language", data={"locale": "en"}, headers={"Referer": "http://localhost/login?x=1"}
    )
    assert response.headers["Location"] == "/login?x=1"


def test_strings_outside_a_request_use_the_default_language(app):
    # CLI commands and scheduled jobs have no visitor; they must not fail on the session.
    assert gettext("Log in") == "登录"
