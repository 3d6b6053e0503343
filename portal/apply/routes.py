"""The applicant's area. The wizard arrives with the "Applicant journey" issue."""

from flask import Blueprint, render_template

from portal.auth.forms import ButtonForm
from portal.models import Role
from portal.security import roles_required

bp = Blueprint("apply", __name__, url_prefix="/apply")


# The wizard's other pages live in their own modules and attach to ``bp``.
@bp.route("/")
@roles_required(Role.APPLICANT.value)
def home():
    return render_template("apply/home.html", resend_form=ButtonForm())


from portal.apply import documents  # noqa: E402,F401
