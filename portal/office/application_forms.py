"""Forms of the office's application page: transitions, assignment, notes, document review."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from portal.fields import MultiCheckboxField, required
from portal.forms import VersionedForm
from portal.services.documents import MAX_REASON_LENGTH

TEXT_MAX = 5000


def _text(label, required_message=None, **kwargs) -> TextAreaField:
    """A free text of at most TEXT_MAX characters; required when ``required_message`` is given."""
    validators = [required(required_message)] if required_message else []
    return TextAreaField(label, validators=[*validators, Length(max=TEXT_MAX, message=_l(
        "Use at most %(max)d characters."))], **kwargs)


class StartReviewForm(VersionedForm):
    submit = SubmitField(_l("Start review"))


class RequestChangesForm(VersionedForm):
    steps = MultiCheckboxField(_l("Parts of the application to reopen"), choices=[])
    documents = MultiCheckboxField(_l("Documents to upload again"), choices=[])
    message = _text(_l("Message to the applicant"), _l("Write what the applicant should change."),
                    description=_l("The applicant reads this in the e-mail and in the portal."))
    submit = SubmitField(_l("Request changes"))


class DecideForm(VersionedForm):
    outcome = RadioField(_l("Decision"), choices=[("accept", _l("Accept")), ("waitlist", _l("Waiting list")),
                                                 ("reject", _l("Reject"))], validate_choice=False,
                         validators=[required(_l("Choose a decision."))])
    reason = _text(_l("Reason"), description=_l("Required to reject; the applicant reads it."))
    submit = SubmitField(_l("Record decision"))


class AssignForm(FlaskForm):
    officer = SelectField(_l("Assigned officer"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Assign"))


class NoteForm(FlaskForm):
    body = _text(_l("Internal note"), _l("Write the note first."),
                 description=_l("Only the admissions office sees notes."))
    submit = SubmitField(_l("Add note"))


class DocumentReviewForm(FlaskForm):
    reason = TextAreaField(_l("Reason (required to reject; the applicant sees it)"),
                           validators=[Length(max=MAX_REASON_LENGTH)])
    accept = SubmitField(_l("Accept"))
    reject = SubmitField(_l("Reject"))
