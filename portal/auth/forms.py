"""Account forms. The password policy itself lives in services/accounts.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.services.accounts import password_problem

EMAIL_MAX = 254
PASSWORD_MAX = 256


def _email_field():
    return EmailField(_l("E-mail address"),
                      validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=EMAIL_MAX)],
                      render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"})


class PasswordPolicy:
    """Shows the policy's verdict beside the field together with the form's other errors;
    services/accounts.py checks it again and stays the authority."""

    def __call__(self, form, field):
        email = getattr(form, "email", None)
        problem = password_problem(field.data or "", email.data if email is not None else None)
        if problem:
            raise ValidationError(problem)


def _new_password_fields(label=None):
    password = PasswordField(
        label or _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), PasswordPolicy()],
        description=_l("At least 12 characters. A phrase of several words in any language is best."),
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(_l("Repeat the password.")),
                    EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    return password, confirm


class RegisterForm(FlaskForm):
    email = _email_field()
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Create account"))


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ResetRequestForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))
    submit = SubmitField(_l("Set new password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password.")),
                                                 Length(max=PASSWORD_MAX)],
                                     render_kw={"autocomplete": "current-password"})
    password, confirm = _new_password_fields(_l("New password"))
    submit = SubmitField(_l("Change password"))


class AcceptInvitationForm(FlaskForm):
    """A staff member invited by an admin chooses their first password (services/staff.py)."""

    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set my password"))
