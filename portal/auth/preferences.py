"""Preferences on /account: the time zone a person reads interview times in (/account/timezone;
a first visit proposes the browser's zone, static/js/timezone.js, or without JavaScript one from the
citizenship), and whether to receive the optional reminder e-mails (/account/reminders,
services/reminders.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField

from portal.auth.blueprint import bp
from portal.extensions import db
from portal.forms import first_error
from portal.services import applications, audit, interview_times, reminders


class TimezoneForm(FlaskForm):
    timezone = SelectField(_l("Your time zone"), choices=[], validate_choice=True,
                           description=_l("Interview times are shown and e-mailed in this zone, with the "
                                          "institution's time beside them."))
    submit = SubmitField(_l("Save time zone"))


class RemindersForm(FlaskForm):
    reminders = BooleanField(_l("Send me reminder e-mails"),
                             description=_l("Before the application deadline while your application is a draft, "
                                            "and when the admissions office is waiting for your changes. "
                                            "Reminders of an interview you booked are always sent."))
    submit = SubmitField(_l("Save e-mail preferences"))


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


@bp.context_processor
def _reminders_form():
    """The account page's reminders section builds its form only when it is shown."""
    def reminders_form() -> RemindersForm:
        return RemindersForm(formdata=None, reminders=not current_user.reminders_opt_out)
    return {"reminders_form": reminders_form}


@bp.route("/account/reminders", methods=["POST"])
@login_required
def reminder_preferences():
    form = RemindersForm()
    if not form.validate_on_submit():
        flash(first_error(form), "error")  # CSRF itself is checked before any view (CSRFProtect)
        return redirect(url_for("auth.account"))
    wanted = form.reminders.data
    if reminders.set_reminders(current_user, wanted, via="account"):
        db.session.commit()
    flash(_("Reminder e-mails are on.") if wanted else _("Reminder e-mails are off."), "success")
    return redirect(url_for("auth.account"))
