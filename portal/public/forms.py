"""Contact Us and Letter to the Rector. The rules themselves live in services/inquiries.py; the
form repeats the simple ones so every mistake shows next to its field in one round trip."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.fields import CountryField
from portal.i18n import country_choices
from portal.services import accounts
from portal.services.inquiries import BODY_MAX, BODY_MIN, NAME_MAX, SUBJECT_MAX, InquiryInput, Upload

EMAIL_MAX = 254


def _valid_email(form, field):
    try:
        accounts.normalise_email(field.data or "")
    except accounts.InvalidEmail as error:
        raise ValidationError(error.message) from error


class InquiryForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=NAME_MAX, message=_l("Use at most %(n)s characters.", n=NAME_MAX))],
        render_kw={"autocomplete": "name"})
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Length(max=EMAIL_MAX, message=_l("Use at most %(n)s characters.", n=EMAIL_MAX)), _valid_email],
        description=_l("We send the answer to this address."),
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"})
    country = CountryField(_l("Country"), validators=[DataRequired(_l("Choose your country."))],
                           render_kw={"autocomplete": "country"})
    subject = StringField(_l("Subject"), validators=[
        DataRequired(_l("Enter a subject.")),
        Length(max=SUBJECT_MAX, message=_l("Use at most %(n)s characters.", n=SUBJECT_MAX))])
    message = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Write your message.")),
        Length(min=BODY_MIN, max=BODY_MAX, message=_l("Write between %(min)s and %(max)s characters.",
                                                      min=BODY_MIN, max=BODY_MAX))],
        description=_l("Between %(min)s and %(max)s characters.", min=BODY_MIN, max=BODY_MAX),
        render_kw={"rows": 8})
    # The honeypot: hidden from people (CSS, aria-hidden, out of the tab order); bots fill it.
    homepage = StringField(_l("Leave this field empty"))
    submit = SubmitField(_l("Send message"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _("Choose your country"))] + country_choices()

    def is_bot(self) -> bool:
        return bool((self.homepage.data or "").strip())

    def to_input(self, kind: str, locale: str) -> InquiryInput:
        return InquiryInput(kind=kind, name=self.name.data or "", email=self.email.data or "",
                            country=self.country.data or "", subject=self.subject.data or "",
                            body=self.message.data or "", locale=locale)

    def upload(self) -> Upload | None:
        return None


class ContactForm(InquiryForm):
    pass


class RectorForm(InquiryForm):
    attachment = FileField(_l("Attachment (optional)"))
    submit = SubmitField(_l("Send letter"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.message.label.text = _("Your letter")
        self.attachment.description = _("One PDF file, at most %(mb)s MB.",
                                        mb=current_app.config["MAX_UPLOAD_MB"])

    def upload(self) -> Upload | None:
        data = self.attachment.data
        if data is None or not getattr(data, "filename", ""):
            return None
        return Upload(filename=data.filename, stream=data.stream)
