"""Office: staff accounts (/office/users, admins only). Invite, resend the invitation, change the
role, deactivate and reactivate; services/staff.py owns the rules, the e-mail and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.forms import ButtonForm, show_error
from portal.models import User
from portal.office.blueprint import bp
from portal.office.forms import StaffInviteForm, StaffRoleForm, StaffSearchForm
from portal.security import admin_required
from portal.services import staff
from portal.services.accounts import AccountError


def _user_or_404(user_id: int) -> User:
    user = staff.get(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@admin_required
def users():
    form = StaffSearchForm(request.args)
    term = (form.q.data or "").strip()[:254]
    return render_template("office/users/list.html", form=form, staff_members=staff.list_staff(),
                           found=staff.search(term) if term else None, term=term,
                           roles=staff.ROLE_LABELS, pending=staff.invitation_pending)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    form = StaffInviteForm()
    if request.method == "GET":
        form.locale.data = current_user.locale
    if form.validate_on_submit():
        try:
            user = staff.invite(current_user, form.email.data, form.role.data, form.locale.data)
        except AccountError as error:
            show_error(error, form)
        else:
            db.session.commit()
            flash(_("The account %(email)s is created and an invitation has been sent to it. The person "
                    "chooses a password through the link.", email=user.email), "success")
            return redirect(url_for("office.user", user_id=user.id))
    return render_template("office/users/new.html", form=form)


def _detail(user: User, role_form: StaffRoleForm | None = None, button: ButtonForm | None = None):
    return render_template("office/users/detail.html", user=user,
                           role_form=role_form or StaffRoleForm(formdata=None, role=user.role),
                           button=button or ButtonForm(), roles=staff.ROLE_LABELS,
                           pending=staff.invitation_pending(user))


@bp.route("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    return _detail(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def user_role(user_id: int):
    found = _user_or_404(user_id)
    form = StaffRoleForm()
    if form.validate_on_submit():
        try:
            staff.change_role(current_user, found, form.role.data)
        except AccountError as error:
            show_error(error, form)
        else:
            db.session.commit()
            flash(_("%(email)s is now: %(role)s.", email=found.email, role=staff.ROLE_LABELS[found.role]),
                  "success")
            return redirect(url_for("office.user", user_id=found.id))
    return _detail(found, role_form=form)


ACTIONS = {"deactivate": staff.deactivate, "reactivate": staff.reactivate, "invite": staff.resend_invitation}


def _done(action: str, user: User) -> str:
    if action == "deactivate":
        return _("The account %(email)s is deactivated: it was logged out everywhere and cannot log in.",
                 email=user.email)
    if action == "reactivate":
        return _("The account %(email)s is active again.", email=user.email)
    return _("A new invitation has been sent to %(email)s. Earlier links no longer work.", email=user.email)


@bp.route("/users/<int:user_id>/<any(deactivate, reactivate, invite):action>", methods=["POST"])
@admin_required
def user_action(user_id: int, action: str):
    found = _user_or_404(user_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            ACTIONS[action](current_user, found)
        except AccountError as error:
            show_error(error, form)
            return _detail(found, button=form)
        db.session.commit()
        flash(_done(action, found), "success")
    return redirect(url_for("office.user", user_id=found.id))
