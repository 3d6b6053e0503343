"""Office forms: reference data (intakes and programmes)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.apply.forms import LANGUAGE_NAMES
from portal.fields import RealDateField, required


class IntakeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")),
                                               Regexp(r"^[A-Za-z0-9]{2,8}$",
                                                      message=_l("Use 2 to 8 letters and digits."))],
                       description=_l("The prefix of reference numbers, for example FC27."))
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    opens_on = RealDateField(_l("Applications open on"), validators=[required(_l("Enter a date."))])
    closes_on = RealDateField(_l("Applications close on (last day)"),
                              validators=[required(_l("Enter a date."))])
    course_starts_on = RealDateField(_l("Course starts on"), validators=[required(_l("Enter a date."))])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProgrammeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")),
                                               Regexp(r"^[a-z0-9][a-z0-9\-]{1,31}$",
                                                      message=_l("Use 2 to 32 lower-case letters, digits "
                                                                 "and hyphens."))])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter a name.")),
                                                             Length(max=120)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(_l("Enter a name.")),
                                                             Length(max=120)])
    name_az = StringField(_l("Name in Azerbaijani"), validators=[DataRequired(_l("Enter a name.")),
                                                                 Length(max=120)])
    languages = MultiCheckboxField(_l("Languages of instruction"), choices=list(LANGUAGE_NAMES.items()))
    position = StringField(_l("Order"), default="0",
                           validators=[Regexp(r"^\d{1,3}$", message=_l("Use a whole number from 0 to 999."))],
                           description=_l("Tracks are listed from the lowest number."))
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))
