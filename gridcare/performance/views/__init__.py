"""Performance pages: the quarter's table in the open, each worker's page, the records
behind each figure, and the admin's indicator sets and quarters."""

from flask import Blueprint

bp = Blueprint("performance", __name__)

from gridcare.performance.views import admin, pages  # noqa: E402, F401  (routes on bp)
