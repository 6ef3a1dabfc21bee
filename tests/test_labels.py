"""Every value a user picks or reads is named by its enum, in the user's language."""

import pytest
from flask_babel import force_locale

from gridcare.accounts.models import Role
from gridcare.areas.models import AreaKind
from gridcare.hazards.models import HazardCategory, HazardStatus, Severity
from gridcare.registry.models import (
    CareLevel,
    DisabilityCategory,
    Gender,
    ResidentStatus,
)
from gridcare.visits.models import LocationVerdict, Outcome, VisitKind, VisitMethod, VisitStatus

SHOWN = [
    Role,
    AreaKind,
    Gender,
    ResidentStatus,
    DisabilityCategory,
    CareLevel,
    HazardCategory,
    Severity,
    HazardStatus,
    VisitKind,
    VisitStatus,
    VisitMethod,
    Outcome,
    LocationVerdict,
]


@pytest.mark.parametrize("kind", SHOWN, ids=lambda kind: kind.__name__)
def test_every_value_shown_to_users_has_a_chinese_label(app, kind):
    with app.test_request_context(), force_locale("zh_CN"):
        labels = [str(member.label) for member in kind]
    assert len(set(labels)) == len(labels)
    assert all(any("\u4e00" <= char <= "\u9fff" for char in label) for label in labels), labels


def test_disability_categories_are_the_national_standards_numbers():
    assert [c.value for c in DisabilityCategory] == [1, 2, 3, 4, 5, 6, 7]
    assert str(DisabilityCategory.vision) == "1"


def test_a_role_is_named_in_the_readers_language(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert str(Role.officer.label) != "Community officer"
    with app.test_request_context(), force_locale("en"):
        assert str(Role.officer.label) == "Community officer"
