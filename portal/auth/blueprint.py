"""The auth blueprint object. Its views (routes.py) attach to it; the package's ``__init__``
imports them, and nothing here imports a view (so no module imports in a circle)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
