"""What people read for the actions, records and fields the audit trail stores.

The one place for these labels: the audit page and its filters read them here. A word
not listed (a new action, a new column) is shown as stored, so nothing disappears.
"""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "move": _l("Moved"),
    "deactivate": _l("Deactivated"),
    "reactivate": _l("Reactivated"),
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "reveal_id_number": _l("Viewed ID number"),
    "lookup_id_number": _l("Looked up by ID number"),
    "rotate_door_token": _l("Door plate renewed"),
    "export": _l("Exported"),
    "import": _l("Imported"),
    "demo_load": _l("Demo data loaded"),
    "log": _l("Logged"),
    "assign": _l("Assigned"),
    "reassign": _l("Reassigned"),
    "moved_out": _l("Moved out"),
    "deceased": _l("Deceased"),
    "active": _l("Living here again"),
    "start_fixing": _l("Fixing started"),
    "report_fixed": _l("Reported fixed"),
    "approve": _l("Hazard fix approved"),
    "reject": _l("Hazard fix rejected"),
    "comment": _l("Note added"),
}

ENTITY_LABELS = {
    "user": _l("Account"),
    "area": _l("Area"),
    "household": _l("Household"),
    "resident": _l("Resident"),
    "visit": _l("Visit"),
    "campaign": _l("Campaign"),
    "care_schedule": _l("Care schedule"),
    "hazard": _l("Hazard"),
    "coverage": _l("Coverage report"),
    "score_weights": _l("Scorecard weights"),
    "care_rule_set": _l("Care-level rules"),
    "checklist_item": _l("Checklist item"),
    "life_event": _l("Life event"),
}

FIELD_LABELS = {
    # Accounts.
    "username": _l("Username"),
    "password": _l("Password"),
    "role": _l("Role"),
    "areas": _l("Areas"),
    "full_name": _l("Full name"),
    "phone": _l("Phone"),
    "locale": _l("Language"),
    "active": _l("Active"),
    # Areas.
    "kind": _l("Kind"),
    "name": _l("Name"),
    "code": _l("Code"),
    "parent_id": _l("Parent area"),
    "path": _l("Place in the tree"),
    # Households.
    "grid_id": _l("Grid"),
    "address": _l("Address"),
    "building": _l("Building"),
    "unit": _l("Unit"),
    "room": _l("Room"),
    "lat": _l("Latitude"),
    "lon": _l("Longitude"),
    "care_level": _l("Care level"),
    "care_level_override": _l("Care level set by an officer"),
    "care_level_override_reason": _l("Reason"),
    "door_token": _l("Door plate code"),
    # Residents.
    "id_number": _l("ID number"),
    "gender": _l("Sex"),
    "birth_date": _l("Birth date"),
    "lives_alone": _l("Lives alone"),
    "empty_nest": _l("Empty nest"),
    "disability_category": _l("Disability category"),
    "disability_grade": _l("Disability grade"),
    "disability_certificate": _l("Disability certificate number"),
    "health_notes": _l("Health notes"),
    "status": _l("Status"),
    "status_date": _l("Status date"),
    "contacts": _l("Emergency contacts"),
    # Visits, schedules and campaigns.
    "household_id": _l("Household"),
    "due_date": _l("Due by"),
    "worker_id": _l("Worker"),
    "completed_by_id": _l("Done by"),
    "completed_at": _l("When"),
    "method": _l("How"),
    "outcome": _l("Outcome"),
    "checklist": _l("Safety checklist"),
    "notes": _l("Notes"),
    "accuracy_m": _l("Location accuracy"),
    "distance_m": _l("Distance from the home"),
    "location_verdict": _l("Location"),
    "client_uuid": _l("Form code"),
    "updated_at": _l("Changed at"),
    "interval_days": _l("Every how many days"),
    "window_days": _l("Days allowed after the due date"),
    "area_id": _l("Area"),
    "visits": _l("Visits"),
    "due_at": _l("Due by (hour)"),
    "resident_id": _l("Resident"),
    "occurred_on": _l("Date of the event"),
    # Care-level rules and the checklist.
    "effective_from": _l("In force from"),
    "rules": _l("Rules"),
    "labels": _l("Labels"),
    "label_zh": _l("Chinese label"),
    "label_en": _l("English label"),
    "hazard_category": _l("Hazard category"),
    "position": _l("Order"),
    # Hazards.
    "category": _l("Category"),
    "severity": _l("Severity"),
    "description": _l("Description"),
    "deadline": _l("Fix by"),
    "follow_up": _l("Follow-up"),
    # Reports.
    "period": _l("Period"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def entity_label(entity: str) -> str:
    return str(ENTITY_LABELS.get(entity, entity))


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))
