"""Forms of the applicant's own pages besides the wizard's steps (portal/wizard/): submit,
withdraw, upload and remove a document."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SubmitField
from wtforms.validators import DataRequired

from portal.forms import VersionedForm


class SubmitForm(VersionedForm):
    accept_terms = BooleanField(_l("I accept the terms of admission"),
                                validators=[DataRequired(_l("You must accept the terms of admission."))])
    consent_data = BooleanField(_l("I consent to the processing of my personal data"),
                                validators=[DataRequired(_l("Your consent is needed to process the "
                                                            "application."))])
    confirm_true = BooleanField(_l("I confirm that the information is true and complete"),
                                validators=[DataRequired(_l("Please confirm that the information is true "
                                                            "and complete."))])
    no_agent = BooleanField(_l("I apply on my own, without an agent"),
                            validators=[DataRequired(_l("The university accepts applications only from "
                                                        "applicants themselves, without agents."))])
    submit = SubmitField(_l("Submit application"))


class BookSlotForm(FlaskForm):
    # The service decides whether the chosen slot can still be taken (it may have filled up since
    # the page was shown), so the choice is not checked against the list here.
    slot = RadioField(_l("Interview time"), coerce=int, choices=[], validate_choice=False,
                      validators=[DataRequired(_l("Choose an interview time."))])
    submit = SubmitField(_l("Book this time"))


class WithdrawForm(VersionedForm):
    confirm = BooleanField(_l("Yes, withdraw my application"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Withdraw application"))


class UploadForm(FlaskForm):
    file = FileField(_l("Choose a file"), validators=[FileRequired(_l("Choose a file to upload."))])
    submit = SubmitField(_l("Upload"))


class RemoveForm(FlaskForm):
    submit = SubmitField(_l("Remove this file"))
