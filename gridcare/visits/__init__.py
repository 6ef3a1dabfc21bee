"""The visits domain: care schedules, visits and campaigns."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect the visits domain to the registry's signal: a household whose care level,
    grid or active flag changes gets its schedules and open tasks followed at once.

    Connected here, by create_app, rather than on import, so that what runs is visible;
    connecting again (a second app in one process) changes nothing.
    """
    from gridcare.registry.services import households_changed
    from gridcare.visits.services.planning import follow_households

    households_changed.connect(follow_households)
