"""The resident registry: households, residents and their emergency contacts.

Every write checks the actor's permission and scope, writes an audit event naming the
changed fields (never their values) and commits once, at its end. ID numbers and
certificate numbers are stored only encrypted, with a keyed hash for lookups.

One module per part — lookups, households, residents, care levels, care rules — re-exported here, so
callers keep writing `services.add_resident(...)`. The checks they share are in
`gridcare.registry.rules`.
"""

from gridcare.registry.rules import (
    MAX_CONTACTS,
    ContactDetails,
    DuplicateIdNumber,
    RegistryError,
    RegistryPermissionError,
)
from gridcare.registry.services.care_levels import (
    households_changed,
    rederive_care_levels,
    refresh_care_levels,
    set_care_level_override,
)
from gridcare.registry.services.care_rules import (
    LevelChanges,
    RulesSaved,
    care_rules_changed,
    check_care_rules,
    preview_care_rules,
    rule_versions,
    save_care_rules,
)
from gridcare.registry.services.households import (
    create_household,
    deactivate_household,
    reactivate_household,
    update_household,
)
from gridcare.registry.services.lookups import (
    HOUSEHOLD_RECORD,
    HOUSEHOLD_WITH_RESIDENTS,
    MIN_PHONE_SEARCH,
    RESIDENT_RECORD,
    Page,
    ResidentCard,
    find_by_id_number,
    household_residents,
    households_query,
    list_households,
    resident_by_id_number,
)
from gridcare.registry.services.residents import (
    CONTACT_FIELDS,
    add_resident,
    move_out,
    record_death,
    reveal_id_number,
    update_resident,
)

__all__ = [
    "LevelChanges",
    "RulesSaved",
    "care_rules_changed",
    "check_care_rules",
    "preview_care_rules",
    "rule_versions",
    "save_care_rules",
    "CONTACT_FIELDS",
    "HOUSEHOLD_RECORD",
    "HOUSEHOLD_WITH_RESIDENTS",
    "MAX_CONTACTS",
    "MIN_PHONE_SEARCH",
    "RESIDENT_RECORD",
    "ContactDetails",
    "DuplicateIdNumber",
    "Page",
    "RegistryError",
    "RegistryPermissionError",
    "ResidentCard",
    "add_resident",
    "create_household",
    "deactivate_household",
    "find_by_id_number",
    "household_residents",
    "households_changed",
    "households_query",
    "list_households",
    "move_out",
    "reactivate_household",
    "record_death",
    "rederive_care_levels",
    "refresh_care_levels",
    "reveal_id_number",
    "resident_by_id_number",
    "set_care_level_override",
    "update_household",
    "update_resident",
]
