"""The applicant's blueprint object. View modules attach their routes to it; the package's
``__init__`` imports them, and nothing here imports a view (so no module imports in a circle)."""

from flask import Blueprint

bp = Blueprint("apply", __name__, url_prefix="/apply")
