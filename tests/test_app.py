import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gridcare import create_app
from gridcare.accounts.models import Role, User
from gridcare.config import TestConfig
from gridcare.extensions import db


def test_create_app_does_not_touch_the_database(tmp_path):
    missing = tmp_path / "nothing-here" / "never.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}",
            "SECRET_KEY": "x",
            "GRIDCARE_DATA_KEY": TestConfig.GRIDCARE_DATA_KEY,
        }
    )
    assert app.url_map is not None
    assert not missing.exists()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")


# Error pages after a database error


def _invalid_sql(user):
    db.session.execute(text("SELECT no_such_column FROM no_such_table"))


def _duplicate_username(user):
    db.session.add(User(username=user.username, password_hash="x", role=Role.officer))
    db.session.flush()


@pytest.fixture
def failing_notifications(app, client, login, make, monkeypatch):
    """Open the notifications page with its service broken by `failure`; the response."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    user = make.user("officer", locale="en")
    login(user)

    def open_page(failure):
        monkeypatch.setattr(
            "gridcare.accounts.services.notifications_for", lambda user_id: failure(user)
        )
        return client.get("/notifications")

    return open_page


@pytest.mark.parametrize("failure", [_invalid_sql, _duplicate_username])
def test_a_database_error_shows_the_apps_own_error_page(failing_notifications, client, failure):
    response = failing_notifications(failure)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Log out" in page  # the app's layout, with the user's menu
    assert "Something went wrong on our side" in page
    assert "Internal Server Error" not in page  # not Werkzeug's bare page
    assert client.get("/").status_code in (200, 302)  # and the next page works


def test_the_error_page_stands_even_when_the_layout_cannot_be_drawn(
    failing_notifications, monkeypatch
):
    def database_down(user_id):
        raise OperationalError("SELECT count(*) FROM notification", {}, Exception("gone"))

    monkeypatch.setattr("gridcare.accounts.services.unread_count", database_down)
    response = failing_notifications(_invalid_sql)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "gridcare" in page and "500" in page
    assert "Internal Server Error" not in page
