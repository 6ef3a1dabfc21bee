"""How a service's refusal reaches the user: next to its field, or above the form."""

import pytest
from wtforms import FieldList, FormField, HiddenField, StringField

from gridcare.accounts.models import Role
from gridcare.areas import services as area_services
from gridcare.errors import FieldError
from gridcare.forms import BaseForm, BaseSubform, show_field_error
from gridcare.reports.periods import PeriodError


class ContactRow(BaseSubform):
    phone = StringField()


class PersonForm(BaseForm):
    name = StringField()
    token = HiddenField()
    contacts = FieldList(FormField(ContactRow), min_entries=2)


@pytest.fixture
def form(app):
    with app.test_request_context():
        yield PersonForm(meta={"csrf": False})


def test_a_refusal_naming_a_field_shows_next_to_that_field(form):
    show_field_error(form, FieldError("name", "Too short."))
    assert form.name.errors == ["Too short."]
    assert form.form_errors == []


def test_a_refusal_naming_a_row_shows_next_to_that_rows_field(form):
    show_field_error(form, FieldError("contacts.1.phone", "Not a phone number."))
    assert form.contacts[1].phone.errors == ["Not a phone number."]
    assert form.contacts[0].phone.errors == ()


@pytest.mark.parametrize("field", ["no_such_field", "token", "contacts.7.phone", "name.x"])
def test_a_refusal_for_a_field_the_user_cannot_see_shows_above_the_form(form, field):
    show_field_error(form, FieldError(field, "Open the form again."))
    assert form.form_errors == ["Open the form again."]


def test_every_user_error_is_a_field_error_with_a_field():
    refusal = PeriodError("The period ends before it starts.")
    assert isinstance(refusal, FieldError)
    assert (refusal.field, refusal.message) == ("period", "The period ends before it starts.")


def test_a_refusal_for_a_field_the_page_lacks_is_shown_not_a_server_error(
    client, make, login, monkeypatch
):
    login(make.user(Role.admin))

    def refuse(*args, **kwargs):
        raise area_services.AreaError("nowhere", "This area cannot be created today.")

    monkeypatch.setattr(area_services, "create_area", refuse)
    response = client.post(
        "/areas/new", data={"kind": "district", "name": "长城区", "code": "620203", "parent_id": 0}
    )
    assert response.status_code == 200
    assert "This area cannot be created today." in response.get_data(as_text=True)
