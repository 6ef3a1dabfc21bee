from gridcare import create_app
from gridcare.config import TestConfig


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
