"""The filter form of the admins' mail page (/office/mail): a GET form, so the filters live in the
URL and no CSRF token is needed (it changes nothing). The Retry buttons are POST forms with the
CSRF token (``portal.forms.ButtonForm``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from portal.fields import RealDateField, length
from portal.services.mail_log import RECIPIENT_MAX

STATE_CHOICES = [("", _l("Failed or waiting to be sent")), ("failed", _l("Failed")),
                 ("pending", _l("Waiting to be sent")), ("sent", _l("Sent"))]


class MailFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=STATE_CHOICES, validate_choice=False)
    template = SelectField(_l("Kind of e-mail"), validate_choice=False)
    recipient = StringField(_l("Recipient"), validators=[length(RECIPIENT_MAX)],
                            description=_l("Any part of the address."),
                            render_kw={"inputmode": "email", "spellcheck": "false", "autocomplete": "off"})
    date_from = RealDateField(_l("Written on or after"), render_kw={"aria-describedby": "mail-filter-help"})
    date_to = RealDateField(_l("Written on or before"), render_kw={"aria-describedby": "mail-filter-help"})

    def set_templates(self, names: list[str]) -> None:
        self.template.choices = [("", _l("Any kind"))] + [(name, name) for name in names]
