"""The demo city: a district of Jiayuguan (嘉峪关), its grids, households, residents and
staff, and some weeks of their visits and hazards.

`gridcare demo load` fills an empty, migrated database so the app can be tried at once.
It seeds every domain, so it lives above them all: names and plan decide the city, city
writes it, history replays visits through the real services, commands is the CLI group.
"""

from gridcare.demo.city import DemoLoad, SchemaMissing, load_demo
from gridcare.demo.history import History, simulate_history
from gridcare.demo.names import DISTRICT_CODE, DISTRICT_NAME
from gridcare.demo.plan import DEMO_PASSWORD, SCALES, SEED, CityPlan, Scale, plan_city

__all__ = [
    "DEMO_PASSWORD",
    "DISTRICT_CODE",
    "DISTRICT_NAME",
    "SCALES",
    "SEED",
    "CityPlan",
    "DemoLoad",
    "History",
    "Scale",
    "SchemaMissing",
    "load_demo",
    "plan_city",
    "simulate_history",
]
