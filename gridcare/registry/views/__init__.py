"""The registry's pages, one module per part; each registers its routes on the blueprints
in `blueprint`, which importing them here completes. The household page itself is
composed in `gridcare.households`."""

from gridcare.registry.views import care_rules, door_plates, households, residents, spreadsheets
from gridcare.registry.views.blueprint import bp, doors

__all__ = ["bp", "care_rules", "door_plates", "doors", "households", "residents", "spreadsheets"]
