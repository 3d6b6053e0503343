"""Accounts: /auth/... and /account. Views parse, call one service, commit, flash, redirect."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth.blueprint import bp
from portal.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from portal.errors import retry_text
from portal.extensions import db, limiter
from portal.forms import ButtonForm, show_error
from portal.security import login_throttle, no_store, rotate_browser_session, safe_next
from portal.services import accounts, audit, staff

LOGIN_LIMIT = "10 per minute;50 per hour"
MAIL_LIMIT = "5 per 10 minutes;20 per day"


def home_for(user) -> str:
    return url_for("office.dashboard") if user.is_staff else url_for("apply.home")


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.register(form.email.data, form.password.data, str(get_locale()))
        except accounts.AccountError as error:
            db.session.rollback()
            show_error(error, form)
        else:
            # The same answer whether the address was new or already had an account (whose owner
            # has just been e-mailed): nobody learns here who has an account.
            db.session.commit()
            flash(_("We have sent a message to %(email)s. Open the link in it to verify your e-mail "
                    "address, then log in with your password.", email=form.email.data.strip()), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/auth/verify/<token>")
def verify_email(token: str):
    try:
        user, newly = accounts.verify_email(token)
    except accounts.BadLink as error:
        return render_template("auth/link_problem.html", message=error.message), 400
    db.session.commit()
    if newly:
        flash(_("Thank you: your e-mail address is verified."), "success")
    else:
        flash(_("Your e-mail address was already verified."), "info")
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/auth/verify/resend", methods=["POST"])
@login_required
@limiter.limit(MAIL_LIMIT)
def resend_verification():
    if ButtonForm().validate_on_submit() and not current_user.is_verified:
        accounts.send_verification(current_user)
        db.session.commit()
        flash(_("We have sent a new verification link to %(email)s.", email=current_user.email), "success")
    return redirect(home_for(current_user))


DEVICE_COOKIE = "portal_device"  # accounts.device_token: this browser has logged in to the account


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    throttle, address = login_throttle(), get_remote_address()
    wait = throttle.wait_seconds(address) if throttle else 0
    if wait:  # this address has failed too often: it waits, whatever account it tries
        form.form_errors.append(_("Too many failed log-in attempts from your connection.") + " " + retry_text(wait))
        return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
    try:
        user = accounts.authenticate(form.email.data, form.password.data,
                                     device=request.cookies.get(DEVICE_COOKIE))
    except accounts.AccountError as error:
        db.session.commit()  # keep the failed-attempt count
        if throttle and isinstance(error, accounts.InvalidCredentials):
            throttle.record_failure(address)
        form.form_errors.append(error.message)
        return render_template("auth/login.html", form=form)
    if user.is_staff:
        audit.record(user, "auth.login", "user", user.id)
    db.session.commit()
    rotate_browser_session()
    login_user(user, remember=form.remember.data)
    response = redirect(safe_next(request.args.get("next"), home_for(user)))
    response.set_cookie(DEVICE_COOKIE, accounts.device_token(user), max_age=accounts.KNOWN_DEVICE_MAX_AGE,
                        path=url_for("auth.login"), httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/auth/logout", methods=["GET", "POST"])
def logout():
    form = ButtonForm()
    if not current_user.is_authenticated:
        return redirect(url_for("public.home"))
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_staff:
            audit.record(current_user, "auth.logout", "user", current_user.id)
        accounts.rotate_session(current_user)
        db.session.commit()
        rotate_browser_session()
        logout_user()  # after the rotation: it leaves the note that clears the remember-me cookie
        flash(_("You have been logged out."), "info")
        return redirect(url_for("public.home"))
    return render_template("auth/logout.html", form=form)


@bp.route("/auth/reset", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account exists for that address, we have sent it a link to choose a new "
                "password. The link works once and expires in one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


RESET_TOKEN_KEY = "reset_token"  # noqa: S105  (a session key name, not a secret)


def _bad_reset_link(message):
    return render_template("auth/link_problem.html", message=message,
                           retry=url_for("auth.request_reset")), 400


@bp.route("/auth/reset/<token>")
@no_store
def reset_link(token: str):
    """The e-mailed link: keep the token in the session and drop it from the address bar, so it
    does not linger in the browser history or leak through the Referer header."""
    try:
        accounts.user_for_reset(token)
    except accounts.BadLink as error:
        return _bad_reset_link(error.message)
    session[RESET_TOKEN_KEY] = token
    return redirect(url_for("auth.reset_password"))


@bp.route("/auth/reset/new", methods=["GET", "POST"])
@no_store
def reset_password():
    token = session.get(RESET_TOKEN_KEY, "")
    try:
        user = accounts.user_for_reset(token)
    except accounts.BadLink as error:
        session.pop(RESET_TOKEN_KEY, None)
        return _bad_reset_link(error.message)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except accounts.AccountError as error:
            db.session.rollback()
            show_error(error, form)
        else:
            db.session.commit()
            session.pop(RESET_TOKEN_KEY, None)
            logout_user()
            flash(_("Your password has been changed. You can now log in with the new password."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, email=user.email)


@bp.route("/account")
@login_required
def account():
    return render_template("auth/account.html", resend_form=ButtonForm())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except accounts.AccountError as error:
            db.session.rollback()
            show_error(error, form)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this device keeps working, others stop
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


# --- staff invitations (services/staff.py): the reset-link pattern, with its own token ------

INVITE_TOKEN_KEY = "invite_token"  # noqa: S105  (a session key name, not a secret)


def _bad_invite_link(message):
    return render_template("auth/link_problem.html", message=message), 400


@bp.route("/auth/invite/<token>")
@no_store
def invite_link(token: str):
    """The e-mailed invitation: the token moves to the session and leaves the address bar."""
    try:
        staff.user_for_invitation(token)
    except accounts.BadLink as error:
        return _bad_invite_link(error.message)
    session[INVITE_TOKEN_KEY] = token
    return redirect(url_for("auth.accept_invitation"))


@bp.route("/auth/invite/accept", methods=["GET", "POST"])
@no_store
def accept_invitation():
    token = session.get(INVITE_TOKEN_KEY, "")
    try:
        user = staff.user_for_invitation(token)
    except accounts.BadLink as error:
        session.pop(INVITE_TOKEN_KEY, None)
        return _bad_invite_link(error.message)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            staff.accept_invitation(token, form.password.data)
        except accounts.AccountError as error:
            db.session.rollback()
            show_error(error, form)
        else:
            db.session.commit()
            session.pop(INVITE_TOKEN_KEY, None)
            logout_user()
            flash(_("Your password is set. Log in with your e-mail address and the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/invite.html", form=form, email=user.email, role=user.role)
