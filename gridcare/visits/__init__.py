"""The visits domain: care schedules, visits and campaigns."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect the visits domain to the registry's signals: a household whose care level,
    grid or active flag changes gets its schedules and open tasks followed at once, and a
    new version of the care-level rules in force today gives schedules its cadences.

    Connected here, by create_app, rather than on import, so that what runs is visible;
    connecting again (a second app in one process) changes nothing.
    """
    from gridcare.registry.services import care_rules_changed, households_changed
    from gridcare.visits.services.planning import follow_households
    from gridcare.visits.services.rule_changes import follow_care_rules

    households_changed.connect(follow_households)
    care_rules_changed.connect(follow_care_rules)
