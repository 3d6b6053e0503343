"""Forms of the interview stage in the office: publishing slots, recording a result, inviting,
and re-issuing or revoking a letter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.fields import NumberField, RealDateField, RealTimeField, length, required
from portal.forms import VersionedForm
from portal.models import INSTRUCTION_LANGUAGES

WHOLE_NUMBER = _l("Enter a whole number.")


class WholeNumberField(IntegerField):
    """An integer input whose parse error is ours (translated)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(WHOLE_NUMBER) from None


def _minutes(label, default: int, description=None) -> WholeNumberField:
    return WholeNumberField(label, default=default, description=description,
                        validators=[InputRequired(WHOLE_NUMBER), NumberRange(5, 240, _l("From 5 to 240 minutes."))])


class PublishSlotsForm(FlaskForm):
    day = RealDateField(_l("Date"), validators=[required(_l("Enter the date."))])
    start = RealTimeField(_l("Start time"), validators=[required(_l("Enter the start time."))],
                      description=_l("In the institution's time zone."))
    until = RealTimeField(_l("Repeat until"), validators=[Optional()],
                      description=_l("Leave empty for one slot; otherwise slots start every few minutes "
                                     "until this time."))
    every_minutes = _minutes(_l("Repeat every (minutes)"), 30)
    duration_minutes = _minutes(_l("Duration (minutes)"), 30)
    meeting_url = StringField(_l("Online meeting link"), validators=[
        required(_l("Enter the meeting link.")), Length(max=500)], description=_l("A full https:// address."))
    capacity = WholeNumberField(_l("Places per slot"), default=1, validators=[
        InputRequired(WHOLE_NUMBER), NumberRange(1, 50, _l("From 1 to 50 places."))])
    language = SelectField(_l("Language"), choices=list(INSTRUCTION_LANGUAGES.items()))
    interviewer = SelectField(_l("Interviewer"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Publish"))


def _score(label) -> NumberField:
    return NumberField(label, places=2, validators=[Optional(), NumberRange(0, 100, _l("From 0 to 100."))])


class ResultForm(FlaskForm):
    attendance = RadioField(_l("Attendance"), choices=[("attended", _l("Attended")),
                                                      ("no_show", _l("Did not attend"))],
                            validators=[required(_l("Say whether the applicant attended."))])
    biology_score = _score(_l("Biology (0–100)"))
    chemistry_score = _score(_l("Chemistry (0–100)"))
    physics_score = _score(_l("Physics (0–100)"))
    language_score = _score(_l("Language of instruction (0–100)"))
    notes = TextAreaField(_l("Interviewer's notes"), validators=[length(5000)],
                          description=_l("Only the admissions office sees these notes."))
    offer_new_slot = BooleanField(_l("Offer one new time (only after a missed interview)"))
    submit = SubmitField(_l("Record the result"))


class InviteForm(VersionedForm):
    submit = SubmitField(_l("Invite to the interview"))


class RevokeLetterForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[
        required(_l("Give the reason; the applicant reads it.")), length(1000)])
    submit = SubmitField(_l("Revoke"))
