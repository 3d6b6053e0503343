"""The application wizard's step forms: programme, personal details, passport, contact (the
education step is in ``education.py``). Field names are the Application columns; the labels are
a contract with the office and the applicants' guides (docs/architecture.md, "The wizard"). Each
validator normalises what it accepts (E.164 phones, upper-case passport numbers) so the view
stores ``form.values()`` as it is."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from portal.database import utcnow
from portal.fields import (
    CountryField,
    RealDateField,
    length,
    normalise_text,
    optional_str,
    parse_phone,
    required,
)
from portal.i18n import country_choices
from portal.models import INSTRUCTION_LANGUAGES
from portal.services.eligibility import age_on, passport_valid_until_needed

LATIN_NAME = re.compile(r"^[A-Za-z]+(?:[ '\-][A-Za-z]+)*$")
PASSPORT_NUMBER = re.compile(r"^[A-Z0-9]{5,12}$")


class StepForm(FlaskForm):
    """Common to every step: the two buttons and the conversion to column values."""

    save = SubmitField(_l("Save and continue"))
    save_draft = SubmitField(_l("Save draft"))

    BUTTONS = ("save", "save_draft", "csrf_token")

    def __init__(self, *args, intake=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.intake = intake
        for f in self:
            if isinstance(f, CountryField):
                blank = [("", _l("Choose a country"))] if not f.optional else [("", _l("None"))]
                f.choices = blank + country_choices()

    def answer_fields(self):
        return [f for f in self if f.name not in self.BUTTONS]

    def values(self) -> dict:
        return {f.name: f.data if f.data not in ("", None) else None for f in self.answer_fields()}

    def draft_errors(self) -> dict:
        """Errors that block even a draft save: those on fields the applicant did fill in."""
        return {f.name: f.errors for f in self.answer_fields()
                if f.errors and f.raw_data and any(str(v).strip() for v in f.raw_data)}

    def drop_errors_of_empty_fields(self) -> None:
        for f in self.answer_fields():
            if f.errors and not (f.raw_data and any(str(v).strip() for v in f.raw_data)):
                f.errors = []
                f.data = None


class ProgrammeStepForm(StepForm):
    intake_id = SelectField(_l("Intake"), coerce=optional_str, validate_choice=False,
                            validators=[required(_l("Choose the intake."))])
    programme_id = SelectField(_l("Programme"), coerce=optional_str, validate_choice=False,
                               validators=[required(_l("Choose the Foundation Course track."))],
                               description=_l("The faculty you will study at after the Foundation Course."))
    instruction_language = SelectField(_l("Language of instruction"), coerce=optional_str,
                                       validate_choice=False,
                                       validators=[required(_l("Choose the language of instruction."))])

    def __init__(self, *args, intakes=(), programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.programmes = {str(p.id): p for p in programmes}
        self.intakes = {str(i.id): i for i in intakes}
        self.intake_id.choices = [(str(i.id), i.name) for i in intakes]
        self.programme_id.choices = [("", _l("Choose a track"))] + [
            (str(p.id), p.localized("name", locale)) for p in programmes]
        self.instruction_language.choices = [("", _l("Choose a language"))] + list(INSTRUCTION_LANGUAGES.items())

    def validate_intake_id(self, field):
        if field.data not in self.intakes:
            raise ValidationError(_l("This intake is not open for applications."))

    def validate_programme_id(self, field):
        if field.data and field.data not in self.programmes:
            raise ValidationError(_l("Choose a track from the list."))

    def validate_instruction_language(self, field):
        if not field.data:
            return
        if field.data not in INSTRUCTION_LANGUAGES:
            raise ValidationError(_l("Choose a language from the list."))
        programme = self.programmes.get(self.programme_id.data or "")
        if programme is not None and field.data not in programme.language_codes:
            offered = ", ".join(str(INSTRUCTION_LANGUAGES[c]) for c in programme.language_codes)
            raise ValidationError(_l("This track is not taught in that language. It is taught in: "
                                     "%(languages)s.", languages=offered))

    def values(self) -> dict:
        return {"programme_id": int(self.programme_id.data) if self.programme_id.data else None,
                "instruction_language": self.instruction_language.data or None}


class PersonalForm(StepForm):
    surname = StringField(_l("Surname (as in passport)"),
                          validators=[required(_l("Enter your surname as printed in your passport.")),
                                      length(100)],
                          description=_l("Latin letters exactly as in the machine-readable line of "
                                         "your passport."),
                          render_kw={"autocomplete": "family-name", "spellcheck": "false"})
    given_names = StringField(_l("Given names (as in passport)"),
                              validators=[required(_l("Enter your given names as printed in your "
                                                      "passport.")), length(100)],
                              render_kw={"autocomplete": "given-name", "spellcheck": "false"})
    sex = SelectField(_l("Sex"), coerce=optional_str, validate_choice=False,
                      choices=[("", _l("Choose")), ("F", _l("Female")), ("M", _l("Male")),
                               ("X", _l("Unspecified (X)"))],
                      validators=[required(_l("Choose the sex shown in your passport."))])
    date_of_birth = RealDateField(_l("Date of birth"),
                                  validators=[required(_l("Enter your date of birth."))],
                                  render_kw={"autocomplete": "bday"})
    place_of_birth = StringField(_l("Place of birth"),
                                 validators=[required(_l("Enter your place of birth.")), length(120, 2)])
    citizenship = CountryField(_l("Citizenship"), validators=[required(_l("Choose your citizenship."))])
    other_citizenship = CountryField(_l("Other citizenship"), optional=True, validators=[Optional()],
                                     description=_l("Only if you hold a second citizenship."))

    def validate_surname(self, field):
        self._latin(field)

    def validate_given_names(self, field):
        self._latin(field)

    @staticmethod
    def _latin(field):
        normalise_text(field)
        if field.data and not LATIN_NAME.match(field.data):
            raise ValidationError(_l("Use Latin letters (A to Z) exactly as in your passport; "
                                     "spaces, hyphens and apostrophes are allowed."))
        if field.data:
            field.data = field.data.upper()

    def validate_sex(self, field):
        if field.data and field.data not in ("F", "M", "X"):
            raise ValidationError(_l("Choose one of the options."))

    def validate_place_of_birth(self, field):
        normalise_text(field)

    def validate_date_of_birth(self, field):
        born = field.data
        if born is None:
            return
        if born > utcnow().date():
            raise ValidationError(_l("The date of birth cannot be in the future."))
        if self.intake is None:
            return
        cfg = current_app.config
        age = age_on(born, self.intake.course_starts_on)
        if not cfg["APPLICANT_MIN_AGE"] <= age <= cfg["APPLICANT_MAX_AGE"]:
            raise ValidationError(_l("On the day the course starts (%(date)s) you must be between "
                                     "%(min)s and %(max)s years old.",
                                     date=format_date(self.intake.course_starts_on, "long"),
                                     min=cfg["APPLICANT_MIN_AGE"], max=cfg["APPLICANT_MAX_AGE"]))

    def validate_citizenship(self, field):
        if field.data == "AZ":
            raise ValidationError(_l("Citizens of Azerbaijan are not admitted as foreign applicants. "
                                     "Please apply through the national admission system."))

    def validate_other_citizenship(self, field):
        if field.data == "AZ":
            raise ValidationError(_l("Dual citizens of Azerbaijan are not admitted as foreign applicants. "
                                     "Please apply through the national admission system."))
        if field.data and field.data == self.citizenship.data:
            raise ValidationError(_l("Choose a different country, or leave this empty."))


class PassportForm(StepForm):
    passport_number = StringField(_l("Passport number"),
                                  validators=[required(_l("Enter your passport number.")), length(20)],
                                  description=_l("As printed in the passport: 5 to 12 letters and digits."),
                                  render_kw={"spellcheck": "false", "autocapitalize": "characters"})
    passport_country = CountryField(_l("Issuing country"),
                                    validators=[required(_l("Choose the country that issued the "
                                                            "passport."))])
    passport_issued_on = RealDateField(_l("Date of issue"),
                                       validators=[required(_l("Enter the date of issue."))])
    passport_expires_on = RealDateField(_l("Date of expiry"),
                                        validators=[required(_l("Enter the date of expiry."))])

    def __init__(self, *args, date_of_birth=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.date_of_birth = date_of_birth
        if self.intake is not None:
            needed = format_date(passport_valid_until_needed(self.intake), "long")
            self.passport_expires_on.description = _l("Must be valid until at least %(date)s.", date=needed)

    def validate_passport_number(self, field):
        if not field.data:
            return
        field.data = re.sub(r"[\s\-]", "", field.data).upper()
        if not PASSPORT_NUMBER.match(field.data):
            raise ValidationError(_l("Enter the passport number as printed: 5 to 12 letters and digits, "
                                     "without spaces."))

    def validate_passport_issued_on(self, field):
        if field.data is None:
            return
        if field.data > utcnow().date():
            raise ValidationError(_l("The date of issue cannot be in the future."))
        if self.date_of_birth and field.data < self.date_of_birth:
            raise ValidationError(_l("The date of issue cannot be before your date of birth."))

    def validate_passport_expires_on(self, field):
        if field.data is None:
            return
        if self.passport_issued_on.data and field.data <= self.passport_issued_on.data:
            raise ValidationError(_l("The date of expiry must be after the date of issue."))
        if self.intake is not None and field.data < passport_valid_until_needed(self.intake):
            months = current_app.config["PASSPORT_VALID_MONTHS_AFTER_START"]
            raise ValidationError(_l(
                "Your passport must be valid until at least %(date)s (%(months)s months after the course "
                "starts). Please renew it before you apply.",
                date=format_date(passport_valid_until_needed(self.intake), "long"), months=months))


class ContactDetailsForm(StepForm):
    phone = StringField(_l("Phone number"), validators=[required(_l("Enter your phone number.")), length(30)],
                        description=_l("International format, for example +994 12 345 67 89."),
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    address = StringField(_l("Home address"),
                          validators=[required(_l("Enter your home address.")), length(200, 5)],
                          render_kw={"autocomplete": "street-address"})
    city = StringField(_l("City"), validators=[required(_l("Enter your city.")), length(100, 2)],
                       render_kw={"autocomplete": "address-level2"})
    country = CountryField(_l("Country"), validators=[required(_l("Choose the country you live in."))])
    emergency_name = StringField(_l("Emergency contact name"),
                                 validators=[required(_l("Enter the name of a person we can call in an "
                                                         "emergency.")), length(120, 2)])
    emergency_phone = StringField(_l("Emergency contact phone"),
                                  validators=[required(_l("Enter the emergency contact's phone number.")),
                                              length(30)],
                                  render_kw={"inputmode": "tel"})

    def validate_phone(self, field):
        if field.data:
            field.data = parse_phone(field.data)

    def validate_emergency_phone(self, field):
        if not field.data:
            return
        field.data = parse_phone(field.data)
        if field.data == self.phone.data:
            raise ValidationError(_l("Give the phone number of another person, not your own."))

    def validate_address(self, field):
        normalise_text(field)

    def validate_city(self, field):
        normalise_text(field)

    def validate_emergency_name(self, field):
        normalise_text(field)
