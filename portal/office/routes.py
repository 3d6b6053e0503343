"""The admissions office. The application list arrives with the "Officer dashboard" issue."""

from flask import Blueprint, render_template

from portal.security import staff_required

bp = Blueprint("office", __name__, url_prefix="/office")


@bp.route("/")
@staff_required
def dashboard():
    return render_template("office/dashboard.html")


# Each office area is its own module attaching routes to ``bp``.
from portal.office import applications, audit_log, inbox, notices, review, settings, users  # noqa: E402,F401
