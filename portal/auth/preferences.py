"""The time zone a person reads interview times in (/account/timezone). A first visit proposes
the browser's zone (static/js/timezone.js) or, without JavaScript, one from the citizenship."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from portal.auth.blueprint import bp
from portal.extensions import db
from portal.services import applications, audit, interview_times


class TimezoneForm(FlaskForm):
    timezone = SelectField(_l("Your time zone"), choices=[], validate_choice=True,
                           description=_l("Interview times are shown and e-mailed in this zone, with the "
                                          "institution's time beside them."))
    submit = SubmitField(_l("Save time zone"))


def _proposal() -> str:
    if current_user.timezone:
        return current_user.timezone
    application = applications.current_application(current_user) if not current_user.is_staff else None
    proposed = interview_times.propose_zone(application.citizenship if application else None)
    return proposed or interview_times.institution_zone().key


@bp.route("/account/timezone", methods=["GET", "POST"])
@login_required
def timezone():
    form = TimezoneForm()
    form.timezone.choices = interview_times.zone_choices()
    if form.validate_on_submit():
        current_user.timezone = form.timezone.data
        audit.record(current_user, "account.timezone", "user", current_user.id, {"timezone": form.timezone.data})
        db.session.commit()
        flash(_("Your time zone has been saved."), "success")
        return redirect(url_for("auth.account"))
    if not form.is_submitted():
        form.timezone.data = _proposal()
    if form.timezone.errors:
        form.timezone.errors = [_("Choose a time zone from the list.")]
    return render_template("auth/timezone.html", form=form, saved=bool(current_user.timezone)), \
        400 if form.errors else 200
