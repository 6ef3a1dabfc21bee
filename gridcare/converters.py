"""Numbers read from web addresses: record ids in paths and query strings, page numbers.

Ids are 32-bit integers in PostgreSQL (64-bit in SQLite), so a larger number names no
record: it is a 404 or an absent filter, never an overflow inside the database. A page
number far past any list is clamped, since OFFSET overflows just the same. A NUL in the
address (PostgreSQL refuses it in text) makes the request a 400.
"""

import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_PAGE = 10_000
ID_PATTERN = re.compile(r"\d{1,10}")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: at most MAX_ID, else the route does not match (404)."""

    regex = r"\d{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def as_id(value) -> int | None:
    """`value` as a record id, or None when it cannot name a record."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str) and ID_PATTERN.fullmatch(value.strip()):
        number = int(value.strip())
        return number if 0 < number <= MAX_ID else None
    return None


def arg_id(name: str) -> int | None:
    """An id from the query string or the posted form, or None."""
    return as_id(request.values.get(name))


def page_number(name: str = "page") -> int:
    """The page asked for in the query string: 1 unless a number, at most MAX_PAGE."""
    value = (request.args.get(name) or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(int(value), 1), MAX_PAGE)


def refuse_nul_in_address():
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_in_address)
