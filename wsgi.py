"""The web process. It never starts the scheduler: `gridcare scheduler run` does."""

from gridcare import create_app

app = create_app()
