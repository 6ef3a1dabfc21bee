"""Every response names its request, and every log line written while serving it does too."""

import logging
import re

import pytest

from gridcare import create_app
from gridcare.config import TestConfig
from gridcare.request_ids import REQUEST_ID_FILTER

MADE = re.compile(r"[0-9a-f]{32}")


def app_behind(proxies: int, tmp_path):
    return create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'ids.db'}",
            "GRIDCARE_INSTANCE_PATH": str(tmp_path / "instance"),
            "GRIDCARE_TRUSTED_PROXIES": proxies,
        }
    )


def test_each_response_gets_a_request_id_of_its_own(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert MADE.fullmatch(first) and MADE.fullmatch(second) and first != second


def test_a_client_cannot_choose_the_id_without_a_trusted_proxy(client):
    response = client.get("/login", headers={"X-Request-ID": "forged-id-12345"})
    assert MADE.fullmatch(response.headers["X-Request-ID"])


def test_the_trusted_proxys_id_is_kept_when_it_looks_like_one(tmp_path):
    client = app_behind(1, tmp_path).test_client()
    kept = client.get("/login", headers={"X-Request-ID": "nginx-7f3a9c01e2"})
    assert kept.headers["X-Request-ID"] == "nginx-7f3a9c01e2"


@pytest.mark.parametrize("given", ["short", "x" * 65, "two words here", "id\u2028line", "a;b<c>"])
def test_an_odd_id_from_the_proxy_is_replaced(tmp_path, given):
    client = app_behind(1, tmp_path).test_client()
    response = client.get("/login", headers={"X-Request-ID": given})
    assert MADE.fullmatch(response.headers["X-Request-ID"])


def test_log_lines_written_while_serving_carry_the_id_of_the_response(app, caplog):
    caplog.handler.addFilter(REQUEST_ID_FILTER)
    with caplog.at_level(logging.INFO):
        with app.test_request_context("/visits/today"):
            logging.getLogger("gridcare.visits").info("while serving")
            response = app.process_response(app.make_response("ok"))
        logging.getLogger("gridcare.visits").info("outside any request")
    served, outside = caplog.records
    assert served.request_id == response.headers["X-Request-ID"]
    assert MADE.fullmatch(served.request_id)
    assert outside.request_id == "-"
