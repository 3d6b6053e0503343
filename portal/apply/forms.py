"""Forms of the applicant's own pages besides the wizard's steps (portal/wizard/): submit,
withdraw, upload and remove a document."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SubmitField
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


class WithdrawForm(VersionedForm):
    confirm = BooleanField(_l("Yes, withdraw my application"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Withdraw application"))


class UploadForm(FlaskForm):
    file = FileField(_l("Choose a file"), validators=[FileRequired(_l("Choose a file to upload."))])
    submit = SubmitField(_l("Upload"))


class RemoveForm(FlaskForm):
    submit = SubmitField(_l("Remove this file"))
