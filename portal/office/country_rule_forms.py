"""The form of /office/settings/countries: one citizenship's visa and certificate rule. The country
and the legalisation are checked again by services/country_rules.py (translated messages)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField

from portal.fields import CountryField, length, required
from portal.i18n import country_choices
from portal.services.country_rules import DEFAULT_LEGALISATION, LEGALISATION_LABELS, NOTE_MAX


class CountryRuleForm(FlaskForm):
    country = CountryField(_l("Citizenship"), validators=[required(_l("Choose a country from the list."))],
                           description=_l("Saving replaces the rule already kept for this citizenship, if any."))
    visa_invitation = BooleanField(_l("Needs the university's invitation letter for a study visa"), default=True,
                                   description=_l("Untick for citizens who enter visa-free or with an e-visa."))
    legalisation = SelectField(_l("School certificate legalisation"), validate_choice=False,
                               default=DEFAULT_LEGALISATION, choices=list(LEGALISATION_LABELS.items()))
    note = TextAreaField(_l("Note"), validators=[length(NOTE_MAX)], render_kw={"rows": 2},
                         description=_l("For the admissions office only; applicants do not see it."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose a country")), *country_choices()]  # in the page's language
