"""The education step of the wizard: school, certificate, grades on the certificate's own scale,
and an optional language certificate (IELTS, TOEFL iBT or another)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from portal.database import utcnow
from portal.fields import CountryField, GradeField, YearField, length, normalise_text, optional_str, required
from portal.wizard.forms import StepForm

CERTIFICATE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/.\- ]{1,48}[A-Za-z0-9]$")
GRADE_SCALES = {  # code: (label, lowest, highest)
    "100": (_l("0 to 100 (percent)"), Decimal(0), Decimal(100)),
    "20": (_l("0 to 20"), Decimal(0), Decimal(20)),
    "10": (_l("1 to 10"), Decimal(1), Decimal(10)),
    "5": (_l("2 to 5"), Decimal(2), Decimal(5)),
    "4": (_l("0 to 4 (GPA)"), Decimal(0), Decimal(4)),
}


class EducationForm(StepForm):
    school_name = StringField(_l("Secondary school name"),
                              validators=[required(_l("Enter the name of your secondary school.")),
                                          length(200, 2)])
    school_country = CountryField(_l("School country"),
                                  validators=[required(_l("Choose the country of your school."))])
    graduation_year = YearField(_l("Year of graduation"),
                                validators=[required(_l("Enter the year you finished (or will finish) "
                                                        "school."))], render_kw={"inputmode": "numeric"})
    certificate_number = StringField(_l("Certificate number"),
                                     validators=[required(_l("Enter the number of your school "
                                                             "certificate.")), length(50)])
    grade_scale = SelectField(_l("Grading scale"), coerce=optional_str, validate_choice=False,
                              choices=[("", _l("Choose the scale of your grades"))]
                              + [(code, label) for code, (label, _lo, _hi) in GRADE_SCALES.items()],
                              validators=[required(_l("Choose the grading scale of your certificate."))])
    biology_grade = GradeField(_l("Biology grade"), validators=[required(_l("Enter your biology grade."))],
                               render_kw={"inputmode": "decimal"})
    chemistry_grade = GradeField(_l("Chemistry grade"),
                                 validators=[required(_l("Enter your chemistry grade."))],
                                 render_kw={"inputmode": "decimal"})
    physics_grade = GradeField(_l("Physics grade"), validators=[Optional()],
                               description=_l("Optional."), render_kw={"inputmode": "decimal"})
    language_certificate = SelectField(
        _l("Language certificate"), coerce=optional_str, validate_choice=False,
        choices=[("none", _l("None")), ("ielts", "IELTS"), ("toefl", "TOEFL iBT"), ("other", _l("Other"))],
        description=_l("Optional."))
    language_certificate_score = StringField(_l("Language certificate score"),
                                             validators=[length(20)],
                                             description=_l("IELTS 0 to 9, TOEFL iBT 0 to 120; for another "
                                                            "certificate, its name and score."))
    previous_studies = TextAreaField(_l("Previous university studies"), validators=[Optional(), length(2000)],
                                     description=_l("Optional: university, faculty and years, if you "
                                                    "studied at a university before."))

    def validate_graduation_year(self, field):
        if field.data is None:
            return
        latest = self.intake.course_starts_on.year if self.intake else utcnow().year + 1
        if not 1980 <= field.data <= latest:
            raise ValidationError(_l("Enter a year between %(first)s and %(last)s.", first=1980, last=latest))

    def validate_certificate_number(self, field):
        normalise_text(field)
        if field.data and not CERTIFICATE_NUMBER.match(field.data):
            raise ValidationError(_l("Use 3 to 50 letters, digits, spaces, dots, slashes or hyphens."))

    def validate_school_name(self, field):
        normalise_text(field)

    def validate_grade_scale(self, field):
        if field.data and field.data not in GRADE_SCALES:
            raise ValidationError(_l("Choose one of the options."))

    def _grade(self, field):
        scale = GRADE_SCALES.get(self.grade_scale.data or "")
        if field.data is None or scale is None:
            return
        _label, lowest, highest = scale
        if not lowest <= field.data <= highest or field.data.as_tuple().exponent < -2:
            raise ValidationError(_l("On the chosen scale a grade is between %(low)s and %(high)s.",
                                     low=lowest, high=highest))

    def validate_biology_grade(self, field):
        self._grade(field)

    def validate_chemistry_grade(self, field):
        self._grade(field)

    def validate_physics_grade(self, field):
        self._grade(field)

    def validate_language_certificate(self, field):
        if field.data not in ("none", "ielts", "toefl", "other"):
            raise ValidationError(_l("Choose one of the options."))

    def validate_language_certificate_score(self, field):
        kind = self.language_certificate.data
        normalise_text(field)
        if kind in (None, "none"):
            field.data = None
            return
        if not field.data:
            raise ValidationError(_l("Enter the score of your language certificate."))
        if kind in ("ielts", "toefl"):
            try:
                score = Decimal(field.data.replace(",", "."))
            except InvalidOperation:
                score = Decimal(-1)
            if not score.is_finite():  # "NaN", "Infinity" parse as Decimals too
                score = Decimal(-1)
            ok = (kind == "ielts" and 0 <= score <= 9 and score * 2 == int(score * 2)) or (
                kind == "toefl" and 0 <= score <= 120 and score == int(score))
            if not ok:
                raise ValidationError(_l("IELTS scores are 0 to 9 in steps of 0.5; TOEFL iBT scores "
                                         "are whole numbers from 0 to 120."))

    def validate_previous_studies(self, field):
        if isinstance(field.data, str):
            field.data = field.data.strip() or None
