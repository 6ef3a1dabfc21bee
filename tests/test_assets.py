"""Static files: fingerprinted URLs cached for a year, compressed, and free of the session."""

import re

from gridcare.assets import FINGERPRINTED_MAX_AGE


def _stylesheet_url(client) -> str:
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html).group(1)


def test_pages_name_static_files_by_their_content(client):
    url = _stylesheet_url(client)
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.max_age == FINGERPRINTED_MAX_AGE
    assert response.cache_control.immutable and response.cache_control.public


def test_static_file_without_its_current_fingerprint_is_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age is None
        assert response.cache_control.no_cache


def test_a_not_modified_answer_keeps_the_long_lifetime(client):
    url = _stylesheet_url(client)
    etag = client.get(url).headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status_code == 304
        assert response.cache_control.max_age == FINGERPRINTED_MAX_AGE


def test_pages_and_stylesheets_are_compressed_for_browsers_that_accept_it(client):
    page = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    stylesheet = client.get(_stylesheet_url(client), headers={"Accept-Encoding": "gzip"})
    assert stylesheet.headers["Content-Encoding"] == "gzip"
    assert len(stylesheet.data) < 0.5 * int(client.get("/static/css/app.css").content_length)


def test_static_files_carry_no_session_cookie(client, make, login):
    stylesheet_url = _stylesheet_url(client)
    login(make.user("grid_worker"))
    page = client.get("/visits/today")
    assert "session=" in page.headers.get("Set-Cookie", "")
    stylesheet = client.get(stylesheet_url)
    assert "Set-Cookie" not in stylesheet.headers
    assert "Cookie" not in stylesheet.headers.get("Vary", "")
