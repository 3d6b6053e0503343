"""Office forms: reference data (intakes, programmes, document types), staff accounts and the audit
log's filters. The application page's forms are in application_forms.py, the list's in list_forms.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.fields import MultiCheckboxField, NumberField, RealDateField, required
from portal.i18n import INTERFACE_LANGUAGES
from portal.models import INSTRUCTION_LANGUAGES
from portal.services.staff import ROLE_LABELS, STAFF_ROLE_CHOICES


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
    interview_required = BooleanField(_l("An interview is required before the decision"), default=True)
    interview_fee_amount = NumberField(
        _l("Interview fee"), places=2, validators=[Optional(), NumberRange(0, 100000, _l("Enter an amount from 0."))],
        description=_l("Leave empty when there is no fee."))
    interview_fee_currency = StringField(_l("Currency of the fee"), validators=[
        Optional(), Regexp(r"^[A-Za-z]{3}$", message=_l("Use a three-letter currency code, for example AZN."))])
    interview_fee_instructions = TextAreaField(
        _l("How to pay the fee"), validators=[Length(max=2000)],
        description=_l("Shown to invited applicants and sent in the invitation e-mail."))
    submit = SubmitField(_l("Save"))


class ProgrammeSettingsForm(FlaskForm):
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
    languages = MultiCheckboxField(_l("Languages of instruction"), choices=list(INSTRUCTION_LANGUAGES.items()))
    position = StringField(_l("Order"), default="0",
                           validators=[Regexp(r"^\d{1,3}$", message=_l("Use a whole number from 0 to 999."))],
                           description=_l("Tracks are listed from the lowest number."))
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


# --- staff accounts (/office/users) and the audit log (/office/audit): admins only ----------
# Role and language are checked by services/staff.py (translated messages), not by WTForms.

class StaffSearchForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search all accounts by e-mail"), validators=[Length(max=254)],
                    render_kw={"inputmode": "email", "spellcheck": "false", "type": "search"})


def _staff_role_field():
    return SelectField(_l("Role"), validate_choice=False,
                       choices=[(role, ROLE_LABELS[role]) for role in STAFF_ROLE_CHOICES])


class StaffInviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"),
                       validators=[DataRequired(_l("Enter the e-mail address.")), Length(max=254)],
                       render_kw={"autocomplete": "off", "inputmode": "email", "spellcheck": "false"})
    role = _staff_role_field()
    locale = SelectField(_l("Language of e-mails and pages"), validate_choice=False,
                         choices=list(INTERFACE_LANGUAGES.items()),
                         description=_l("The invitation is written in this language."))
    submit = SubmitField(_l("Send invitation"))


class StaffRoleForm(FlaskForm):
    role = _staff_role_field()
    submit = SubmitField(_l("Save role"))


class AuditFilterForm(FlaskForm):
    """A GET form for /office/audit: filters live in the URL, so a view can be bookmarked."""

    class Meta:
        csrf = False

    actor = StringField(_l("Actor's e-mail"), validators=[Length(max=254)],
                        render_kw={"inputmode": "email", "spellcheck": "false"})
    action = StringField(_l("Action"), validators=[Length(max=64)],
                         render_kw={"aria-describedby": "audit-filter-help", "spellcheck": "false"})
    target_type = StringField(_l("Target type"), validators=[Length(max=40)],
                              render_kw={"aria-describedby": "audit-filter-help", "spellcheck": "false"})
    target_id = StringField(_l("Target id"), validators=[Length(max=64)])
    date_from = RealDateField(_l("From date"), render_kw={"aria-describedby": "audit-filter-help"})
    date_to = RealDateField(_l("Until date"), render_kw={"aria-describedby": "audit-filter-help"})


class DocumentTypeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")),
                                               Regexp(r"^[a-z0-9][a-z0-9\-]{1,39}$",
                                                      message=_l("Use 2 to 40 lower-case letters, digits "
                                                                 "and hyphens."))])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter a name.")), Length(max=160)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(_l("Enter a name.")), Length(max=160)])
    name_az = StringField(_l("Name in Azerbaijani"), validators=[DataRequired(_l("Enter a name.")), Length(max=160)])
    help_en = TextAreaField(_l("Help text in English"), validators=[Length(max=2000)], render_kw={"rows": 2})
    help_ru = TextAreaField(_l("Help text in Russian"), validators=[Length(max=2000)], render_kw={"rows": 2})
    help_az = TextAreaField(_l("Help text in Azerbaijani"), validators=[Length(max=2000)], render_kw={"rows": 2})
    requirement = SelectField(_l("Required"), validate_choice=False,
                              choices=[("required", _l("Always required")), ("optional", _l("Optional")),
                                       ("conditional", _l("Required only in some cases"))])
    condition = SelectField(_l("When it is required"), validate_choice=False,
                            choices=[("", _l("Not applicable")), ("under_18", _l("Applicant under 18 at course start")),
                                     ("interview", _l("Once invited to the interview"))])
    kinds = MultiCheckboxField(_l("Accepted kinds of file"), choices=[("pdf", "PDF"), ("jpeg", "JPEG"), ("png", "PNG")])
    max_size_mb = StringField(_l("Size limit (MB)"), default="10",
                              validators=[Regexp(r"^([1-9]|[1-4][0-9]|50)$",
                                                 message=_l("Use a whole number from 1 to 50."))])
    position = StringField(_l("Order"), default="0",
                           validators=[Regexp(r"^\d{1,3}$", message=_l("Use a whole number from 0 to 999."))])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))
