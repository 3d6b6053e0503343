"""Forms every blueprint uses, and the one way a service's refusal reaches the person.

Forms that belong to one area live beside its views (``apply/forms.py``, ``office/forms.py``
...); the wizard's step forms are the application's definition and live in ``portal/wizard/``.
"""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField

from portal.extensions import db
from portal.fields import length, required
from portal.services.errors import ServiceError


class ButtonForm(FlaskForm):
    """A form that is only a button (logout, resend verification): CSRF and nothing else."""


class VersionedForm(FlaskForm):
    """A form that acts on the application as the page showed it: ``version`` is checked by the
    service, so a page left open in another tab changes nothing."""

    version = HiddenField()

    def expected_version(self) -> int:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1


class MessageForm(FlaskForm):
    """One message in the thread between an applicant and the office (either side writes it)."""

    body = TextAreaField(_l("Your message"), validators=[required(_l("Write your message first.")), length(5000)],
                         render_kw={"rows": 5})
    send = SubmitField(_l("Send message"))


def show_error(error: ServiceError, form: FlaskForm | None = None, category: str = "error") -> None:
    """Put a service's refusal where the person will see it: beside its field when the form has
    that field, among the form's own errors when there is a form, else as a flash message."""
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    elif form is not None:
        form.form_errors.append(error.message)
    else:
        flash(error.message, category)


def commit_or_show(action, form: FlaskForm | None = None, done=None):
    """Run one service call for a view. Done: commit, flash ``done`` (if given) and return the
    call's result (True when it returns nothing). Refused: roll back, show why (beside the form's
    field when there is one) and return None, so nothing is half saved."""
    try:
        result = action()
    except ServiceError as error:
        db.session.rollback()
        show_error(error, form)
        return None
    db.session.commit()
    if done:
        flash(done, "success")
    return True if result is None else result


def first_error(form: FlaskForm, default=None) -> str:
    """The form's first error message (for a form that answers with a flash and a redirect)."""
    return next((errors[0] for errors in form.errors.values() if errors),
                default or _l("Please check the form and try again."))
