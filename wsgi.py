"""The web process, e.g. `gunicorn wsgi:app`. It never starts the scheduler:
`gridcare scheduler run` does.

Production refuses to start without SECRET_KEY and GRIDCARE_DATA_KEY: keys generated per
server would make ID numbers written on one server unreadable on another.
"""

from gridcare import create_app

app = create_app({"GRIDCARE_REQUIRE_KEYS": True})
