"""Form fields and validators shared by the portal's forms: every error message is ours and
translated (WTForms' built-in parse errors are English only), and a value that fails to parse
keeps its precise message instead of being reported as missing."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal, InvalidOperation

import phonenumbers
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


def optional_str(value) -> str:
    """Select coercion that keeps an unanswered question empty (not the string "None")."""
    return "" if value is None else str(value)


class Answered:
    """Like DataRequired, but an answer that failed to parse (a bad date or number) keeps its
    own, more precise error instead of being reported as missing. Works for stored data too."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data not in (None, "") or (field.raw_data and str(field.raw_data[0]).strip()):
            return
        field.errors[:] = []
        raise StopValidation(self.message)


def required(message):
    return Answered(message)


def length(maximum: int, minimum: int = -1):
    if minimum > 0:
        return Length(min=minimum, max=maximum,
                      message=_l("Use between %(min)d and %(max)d characters."))
    return Length(max=maximum, message=_l("Use at most %(max)d characters."))


class RealDateField(DateField):
    """A date input whose parse error is ours (translated), not WTForms' English default."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a real date, for example 2007-05-31.")) from None


class NumberField(DecimalField):
    """A decimal input that takes a comma or a point; a typo gets our (translated) message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([v.replace(",", ".").strip() for v in valuelist])
        except ValueError:
            raise ValueError(_l("Enter a number, for example 85 or 85.5.")) from None


class RealTimeField(TimeField):
    """A time input (HH:MM) whose parse error is ours (translated)."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = time.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a time as hours and minutes, for example 10:30.")) from None


class CountryField(SelectField):
    def __init__(self, label, validators=None, optional=False, **kwargs):
        super().__init__(label, validators, coerce=optional_str, validate_choice=False, **kwargs)
        self.optional = optional

    def pre_validate(self, form):
        if self.data and self.data not in dict(self.choices):
            raise ValidationError(_l("Choose a country from the list."))


def normalise_text(field) -> None:
    if isinstance(field.data, str):
        field.data = re.sub(r"\s+", " ", field.data).strip() or None


def parse_phone(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_l("Enter the number in international format: + and the country code, "
                                 "for example +994 12 345 67 89."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class GradeField(StringField):
    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip().replace(",", ".")
        self.raw_data = valuelist
        if not raw:
            self.data = None
            return
        try:
            self.data = Decimal(raw)
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter the grade as a number, for example 87 or 4.5.")) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Enter the grade as a number, for example 87 or 4.5."))

    def _value(self):
        return "" if self.data is None else f"{self.data.normalize():f}"


class YearField(StringField):
    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        if not raw.isdigit() or len(raw) != 4:
            self.data = None
            raise ValueError(_l("Enter a year with four digits, for example 2026."))
        self.data = int(raw)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (each with its own label) instead of a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
