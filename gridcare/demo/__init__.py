"""The demo city: a district of Jiayuguan (嘉峪关), its grids, households, residents and
staff, and some weeks of their visits and hazards.

`gridcare demo load` fills an empty, migrated database so the app can be tried at once.
It seeds every domain, so it lives above them all: names and plan decide the city, city
writes it (through bulk, COPY on PostgreSQL), history follows each schedule through a
year of visits and hazards, commands is the CLI group.
"""

from gridcare.demo.city import DemoLoad, SchemaMissing, load_demo
from gridcare.demo.history import History
from gridcare.demo.names import DISTRICT_CODE, DISTRICT_NAME
from gridcare.demo.plan import (
    DEMO_PASSWORD,
    SCALES,
    SEED,
    CityPlan,
    CityPlanner,
    Scale,
    plan_city,
    scale_for,
)

__all__ = [
    "DEMO_PASSWORD",
    "DISTRICT_CODE",
    "DISTRICT_NAME",
    "SCALES",
    "SEED",
    "CityPlan",
    "CityPlanner",
    "DemoLoad",
    "History",
    "Scale",
    "SchemaMissing",
    "load_demo",
    "plan_city",
    "scale_for",
]
