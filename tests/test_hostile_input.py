"""Hostile input never makes a 500: every form and every address, for every role.

The routes come from `app.url_map` and the forms from the pages themselves (each page a
role can open is fetched and its <form>s read), so a new route or field is fuzzed without
touching this file. Each example sends one request: a form posted with its own defaults
and some fields replaced by hostile values, or an address with hostile ids and query
parameters. Any 5xx, or any exception escaping a view, fails.

GRIDCARE_FUZZ_EXAMPLES=3000 sends a few thousand requests instead of the quick default.
"""

import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gridcare.accounts.services import actor_for
from gridcare.clock import today
from gridcare.extensions import db
from gridcare.hazards import services as hazards
from gridcare.hazards.models import HazardCategory, Photo, Severity
from gridcare.visits import services as visits
from gridcare.visits.models import CareSchedule, Visit, VisitKind
from tests.conftest import PASSWORD, new_client
from tests.hazards.conftest import jpeg

EXAMPLES = int(os.environ.get("GRIDCARE_FUZZ_EXAMPLES", "250"))
ROLES = ("anonymous", "grid_worker", "officer", "civil_affairs", "admin")
# Logging out would end the session the next examples need; everything else is fuzzed.
SKIPPED_ENDPOINTS = {"static", "accounts.logout"}
SKIPPED_ACTIONS = {"/logout"}
# Pages whose forms differ with their query string.
EXTRA_PAGES = [
    "/visits/household/<household_id>/log?kind=safety_check",
    "/visits/household/<household_id>/log?kind=safety_check&visit=<visit_id>",
    "/hazards/household/<household_id>/new?visit=<visit_id>&item=gas_hose",
]
PLACEHOLDER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")

HUGE_NUMBERS = [
    "2147483648",
    "2147483647",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "1" + "0" * 30,
    "9" * 5000,
    "-1",
    "-2147483649",
    "-9223372036854775809",
    "0",
    "-0",
    "+5",
    "1e308",
    "nan",
    "inf",
    "0x10",
    "1_000",
    "١٢",
    "１２",
]
HOSTILE_TEXT = [
    "",
    " ",
    "   ",
    "\t",
    "\n",
    "\u3000",
    "\xa0",
    "\x00",
    "a\x00b",
    "\x0b",
    "名\x0b字",
    "\x1b[31m",
    "\x7f",
    "x" * 10_000,
    "测" * 10_000,
    "' OR 1=1 --",
    "1; DROP TABLE area; --",
    "%",
    "_",
    "\\",
    "%00",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "😀" * 20,
    "\u202e",
    "\ufeff",
    "e\u0301",
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "../../etc/passwd",
    "新区1①",  # digits that isdigit() accepts and int() refuses
    "²",
    "١٢",
]
UUIDS = [
    "urn:uuid:12345678-1234-5678-1234-567812345678",
    "{12345678-1234-5678-1234-567812345678}",
    "12345678123456781234567812345678",
    "12345678-1234-5678-1234-56781234567G",
    "00000000-0000-0000-0000-000000000000",
    "123E4567-E89B-12D3-A456-426614174000",
]
DATES = [
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-13-01",
    "99999999999",
    "2026-11-01T25:61",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1900-01-01",
    "2100-12-31",
]
PERIODS = [
    "9999-12",
    "9999-Q4",
    "0001",
    "0001-01-01..0001-01-05",
    "2026-11-01..2026-10-01",
    "1950-01",
    "2100-Q4",
    "1949-12-31..1950-01-01",
    "2026-11-01..9999-12-31",
    "2026-00",
    "2026-Q5",
]
CONTROL_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x1F),
        st.sampled_from("ab测 '%_\\"),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)
# Just over and under the column sizes: a form's limit longer than its column overflows.
BOUNDARY_LENGTHS = [16, 17, 20, 21, 30, 31, 32, 33, 36, 37, 50, 51, 64, 65, 100, 101, 200, 201]
SAMPLED = st.sampled_from(HUGE_NUMBERS + HOSTILE_TEXT + UUIDS + DATES + PERIODS)
# Each kind of field also gets, half the time, the values that field type invites.
BY_KIND = {
    "date": st.sampled_from(DATES + [d[:10] for d in DATES] + PERIODS),
    "datetime-local": st.sampled_from(DATES + [d + "T00:00" for d in DATES]),
    "number": st.sampled_from(HUGE_NUMBERS),
    "hidden": st.sampled_from(HUGE_NUMBERS + UUIDS + HOSTILE_TEXT),
    "select": st.sampled_from(HUGE_NUMBERS + HOSTILE_TEXT[:8]),
    "checkbox": st.sampled_from(HUGE_NUMBERS + HOSTILE_TEXT[:8]),
    "radio": st.sampled_from(HUGE_NUMBERS + HOSTILE_TEXT[:8]),
}
hostile_values = st.one_of(
    SAMPLED,
    SAMPLED,
    st.sampled_from(BOUNDARY_LENGTHS).flatmap(lambda n: st.sampled_from(["1" * n, "字" * n])),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    CONTROL_TEXT,
)
# Names the views read from query strings outside any form, plus a stranger.
QUERY_NAMES = [
    "page",
    "area",
    "period",
    "visit",
    "visit_id",
    "item",
    "worker",
    "grid",
    "grid_id",
    "q",
    "flag",
    "care_level",
    "area_id",
    "include_inactive",
    "next",
    "lat",
    "lon",
    "kind",
    "parent",
    "done",
    "fmt",
    "full_ids",
    "unknown",
]


# Values that pass each field's own rules, so that a request with one hostile field gets
# past the others and reaches the service behind the form.
VALID = {
    "address": "新华路9号",
    "name": "王秀兰",
    "id_number": "620201194005010138",
    "phone": "13800138000",
    "contacts-0-name": "王明",
    "contacts-0-relation": "儿子",
    "contacts-0-phone": "13900139000",
    "health_notes": "高血压",
    "description": "插线板烧焦",
    "note": "已处理",
    "notes": "一切正常",
    "reason": "独居且行动不便",
    "on": date.today().isoformat(),
    "due_date": (date.today() + timedelta(days=7)).isoformat(),
    "code": "NEWCODE1",
    "username": "new_user",
    "full_name": "赵六",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "current_password": PASSWORD,
    "interval_days": "7",
    "window_days": "3",
    "period": "2026-11",
}


@dataclass
class FormSpec:
    """One <form> as a page offers it: where it goes and the values it would send."""

    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> offered values
    defaults: dict[str, str] = field(default_factory=dict)  # what a plain submit sends
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type, select, textarea
    files: set[str] = field(default_factory=set)


class FormReader(HTMLParser):
    """The forms on a page, with each field's default and offered values."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[FormSpec] = []
        self._form: FormSpec | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or self.page_url
            self._form = FormSpec(attrs.get("method", "get").upper(), action)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "option" and self._select:
            value = attrs.get("value") or ""
            form.fields[self._select].append(value)
            # A browser sends the selected option; a plain submit here, the first real one.
            if "selected" in attrs or not form.defaults.get(self._select):
                form.defaults[self._select] = value
            return
        name = attrs.get("name")
        if not name:
            return
        values = form.fields.setdefault(name, [])
        kind = attrs.get("type", "text") if tag == "input" else tag
        form.kinds[name] = kind
        if tag == "input" and kind == "file":
            form.files.add(name)
        elif tag == "input" and kind in ("checkbox", "radio"):
            values.append(attrs.get("value") or "y")
            if "checked" in attrs:
                form.defaults[name] = values[-1]
        elif tag in ("input", "button"):
            values.append(attrs.get("value") or "")
            if tag == "input" and kind != "submit":
                form.defaults[name] = values[-1]
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            form.defaults[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea and data.strip():
            self._form.defaults[self._textarea] = data


@pytest.fixture
def world(app, make):
    """A small city with one of everything a route can name, and a client per role."""
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格")
    officer = make.user("officer", areas=[tree["community1"]])
    civil = make.user("civil_affairs", areas=[tree["district"]])
    admin = make.user("admin")
    victim = make.user("grid_worker", areas=[tree["grid2"]])
    household = make.household(tree["grid1"], address="新华路1号")
    resident = make.resident(
        household, birth_date=date(1938, 3, 1), lives_alone=True, health_notes="高血压"
    )
    make.resident(make.household(tree["grid1"]), birth_date=date(1950, 1, 1), empty_nest=True)
    visits.generate_visits(today())
    overdue = db.session.scalar(select(Visit).where(Visit.household_id == household.id))
    overdue.due_date = today() - timedelta(days=2)  # so the reassign form is offered
    db.session.commit()
    hazard = hazards.raise_hazard(
        actor_for(worker),
        household,
        category=HazardCategory.fire,
        severity=Severity.minor,
        description="电热毯老化",
        today=today(),
        before_photo=jpeg(40, 30),
    )
    campaign, _ = visits.create_campaign(
        actor_for(officer),
        name="冬季燃气检查",
        kind=VisitKind.safety_check,
        area=tree["community1"],
        care_levels=[],
        flags=[],
        due_date=today(),
        today=today(),
    )
    ids = {
        "household_id": household.id,
        "resident_id": resident.id,
        "hazard_id": hazard.id,
        "photo_id": db.session.scalar(select(Photo.id).where(Photo.hazard_id == hazard.id)),
        "user_id": victim.id,
        "worker_id": worker.id,
        "area_id": tree["grid4"].id,
        "campaign_id": campaign.id,
        "schedule_id": _first_id(CareSchedule, household.id),
        "visit_id": _first_id(Visit, household.id),
        "token": household.door_token,
        "fmt": "csv",
        "what": "tasks_due",
    }
    clients = {"anonymous": new_client(app)}
    for role, user in (
        ("grid_worker", worker),
        ("officer", officer),
        ("civil_affairs", civil),
        ("admin", admin),
    ):
        client = new_client(app)
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        clients[role] = client
    routes = _routes(app)
    return World(ids, clients, routes, _forms(clients, routes, ids))


@dataclass(repr=False)
class World:
    ids: dict
    clients: dict
    routes: list
    forms: list[tuple[str, FormSpec]]

    def __getitem__(self, name):
        return getattr(self, name)

    def __repr__(self):  # keeps hypothesis's report of a failing example readable
        return f"World({len(self.routes)} routes, {len(self.forms)} forms)"


def _first_id(model, household_id: int) -> int:
    return db.session.scalar(select(model.id).where(model.household_id == household_id)) or 1


def _routes(app) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED_ENDPOINTS and not rule.endpoint.endswith(".static")
    ]


def _path(rule, values: dict) -> str:
    """The rule's path with `values` put in, whatever they are (hostile ones included)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m[1], 1)), rule.rule)


def _forms(clients, routes, ids) -> list[tuple[str, FormSpec]]:
    """Every form on every page each role can open, once per role, method and action."""
    found: dict[tuple, tuple[str, FormSpec]] = {}
    pages = [_path(rule, ids) for rule in routes if "GET" in rule.methods]
    pages += [PLACEHOLDER.sub(lambda m: str(ids[m[1]]), page) for page in EXTRA_PAGES]
    for role, client in clients.items():
        for url in pages:
            with client.get(url) as response:
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                reader = FormReader(url)
                reader.feed(response.get_data(as_text=True))
            for form in reader.forms:
                path = urlsplit(form.action).path or urlsplit(url).path
                if path in SKIPPED_ACTIONS:
                    continue
                key = (role, form.method, path, tuple(sorted(form.fields)))
                form.action = path
                found.setdefault(key, (role, form))
    return list(found.values())


@st.composite
def requests(draw, world):
    """One hostile request: (role, method, url, query, form data)."""
    if draw(st.booleans()) and world["forms"]:
        role, form = draw(st.sampled_from(world["forms"]))
        data = {name: VALID.get(name, default) for name, default in form.defaults.items()}
        if "client_uuid" in data:  # a new one, or the resend of a stored form is all we test
            data["client_uuid"] = str(draw(st.uuids()))
        names = sorted(form.fields) or ["unknown"]
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3)):
            if form.kinds.get(name) in BY_KIND and draw(st.integers(0, 3)) < 3:
                data[name] = draw(BY_KIND[form.kinds[name]])  # mostly what the type invites
            elif draw(st.booleans()) and form.fields.get(name):
                data[name] = draw(st.sampled_from(form.fields[name]))  # another offered value
            else:
                data[name] = draw(hostile_values)
        for name in form.files:
            if draw(st.booleans()):
                content = draw(st.sampled_from([b"", b"\x00" * 64, jpeg(2, 2)[:50], b"a,b\n"]))
                data[name] = (BytesIO(content), draw(st.sampled_from(["x.jpg", "x.csv", "x"])))
        if form.method == "GET":
            return role, "GET", form.action, data, None
        return role, "POST", form.action, {}, data
    rule = draw(st.sampled_from(world["routes"]))
    role = draw(st.sampled_from(ROLES))
    values = dict(world["ids"])
    for name in rule.arguments:
        if draw(st.booleans()):
            values[name] = draw(st.sampled_from(HUGE_NUMBERS[:12] + ["%00", "x" * 300]))
    method = draw(st.sampled_from(sorted(rule.methods & {"GET", "POST"})))
    params = {
        name: draw(hostile_values)
        for name in draw(st.lists(st.sampled_from(QUERY_NAMES), max_size=4))
    }
    body = None
    if method == "POST":
        names = st.sampled_from(QUERY_NAMES + sorted(VALID))
        body = {name: draw(hostile_values) for name in draw(st.lists(names, max_size=4))}
    return role, method, _path(rule, values), params, body


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_requests_never_get_a_server_error(world, data):
    role, method, url, query, body = data.draw(requests(world))
    client = world["clients"][role]
    try:
        response = client.open(url, method=method, query_string=query, data=body)
    except Exception as exc:  # TESTING propagates a view's exception instead of a 500
        raise AssertionError(f"{role} {method} {url} {query!r} {body!r} raised {exc!r}") from exc
    response.close()
    assert response.status_code < 500, f"{role} {method} {url} {query!r} {body!r}"


# The worst value of each kind, tried in every field of every form: what chance may miss.
WORST = {
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "text": ["a\x00b", "字" * 10_000, " "],
    "textarea": ["a\x00b", "字" * 10_000],
}
WORST_ID = ["9223372036854775808", " ", "a\x00b"]


def test_every_field_of_every_form_survives_the_worst_values(world):
    seen = set()
    for role, form in world["forms"]:
        if form.action in seen:
            continue
        seen.add(form.action)
        for name in form.fields:
            for value in WORST.get(form.kinds.get(name), WORST_ID):
                data = {n: VALID.get(n, default) for n, default in form.defaults.items()}
                if "client_uuid" in data:
                    data["client_uuid"] = str(uuid.uuid4())
                data[name] = value
                query, body = (data, None) if form.method == "GET" else ({}, data)
                request = f"{role} {form.method} {form.action} {name}={value[:20]!r}"
                try:
                    response = world["clients"][role].open(
                        form.action, method=form.method, query_string=query, data=body
                    )
                except Exception as exc:
                    raise AssertionError(f"{request} raised {exc!r}") from exc
                response.close()
                assert response.status_code < 500, request


def test_fuzzing_reaches_every_kind_of_form(world):
    """The crawl finds the forms (a broken crawl would make the fuzzing above vacuous)."""
    posted = {form.action for _, form in world["forms"] if form.method == "POST"}
    assert len(world["forms"]) > 20
    assert any("/quick" in action for action in posted)
    assert any("/registry/households/new" in action for action in posted)
    assert any(action.startswith("/admin/users") for action in posted)


def test_an_id_no_record_can_have_is_a_404_on_every_route(world):
    for number in ["2147483648", "9223372036854775808", "1" + "0" * 30]:
        for rule in world["routes"]:
            ints = re.findall(r"<int:([^<>]+)>", rule.rule)
            if not ints:
                continue
            path = _path(rule, {**world["ids"], **dict.fromkeys(ints, number)})
            method = "GET" if "GET" in rule.methods else "POST"
            with world["clients"]["admin"].open(path, method=method) as response:
                assert response.status_code == 404, path
