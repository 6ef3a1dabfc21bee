from datetime import date
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from gridcare.accounts.models import Notification
from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.hazards import services
from gridcare.hazards.models import HazardCategory, Severity
from tests.conftest import TEST_DAY


def jpeg(width=800, height=600, color=(200, 60, 40), exif_gps=False) -> bytes:
    """A real JPEG; with `exif_gps`, carrying a GPS position like a phone's camera does."""
    image = Image.new("RGB", (width, height), color)
    out = BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (39.0, 46.0, 12.0)
        gps[3], gps[4] = "E", (98.0, 17.0, 24.0)
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def people(make):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]], full_name="李网格")
    officer = make.user("officer", areas=[tree["community1"]], full_name="王干部")
    other_officer = make.user("officer", areas=[tree["community2"]])
    household = make.household(tree["grid1"], address="新华路1号")
    make.resident(household, birth_date=date(1938, 3, 1), lives_alone=True)
    elsewhere = make.household(tree["grid3"], address="五一路9号")
    return {
        "tree": tree,
        "worker": worker,
        "officer": officer,
        "other_officer": other_officer,
        "household": household,
        "elsewhere": elsewhere,
    }


def raise_one(people, **kwargs):
    """A hazard the grid's worker raises at the household (minor gas, by default)."""
    kwargs.setdefault("category", HazardCategory.gas)
    kwargs.setdefault("severity", Severity.minor)
    kwargs.setdefault("description", "燃气软管老化开裂")
    kwargs.setdefault("today", TEST_DAY)
    return services.raise_hazard(actor_for(people["worker"]), people["household"], **kwargs)


def notifications(user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))
